package dev.sentinel.hash;

import java.time.Instant;

/**
 * One hash of known content to block: from a shared list (StopNCII, NCMEC, an industry list) or from a reviewer's
 * confirmed quarantine.
 *
 * @param kind      {@code pdq}, {@code sha256} or {@code md5}
 * @param category  e.g. {@code intimate-imagery}, {@code child-safety}, {@code confirmed-by-review}
 * @param source    which list it came from
 * @param verdictId the verdict that put it there, for hashes added by a review
 */
public record BankEntry(String hash, String kind, String category, String source, String addedBy, Instant addedAt,
                        String verdictId) {

    public static final String PDQ = "pdq";
    public static final String SHA256 = "sha256";
    public static final String MD5 = "md5";
}
