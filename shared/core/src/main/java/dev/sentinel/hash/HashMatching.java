package dev.sentinel.hash;

import java.util.Optional;

/**
 * What the scan pipeline asks before paying for an engine call: has this exact content been decided before, and
 * does it match known content to block.
 */
public interface HashMatching {

    /** A bank hit: the entry matched and how far (0 for exact hashes). */
    record Match(BankEntry entry, int distance) { }

    /** The verdict first given to these exact bytes, if any. */
    Optional<String> verdictWithContent(String sha256);

    /** Remembers which verdict first decided these bytes; later calls for the same bytes keep the first. */
    void recordContent(String sha256, String verdictId);

    /**
     * The closest bank entry matching the content: exact SHA-256 or MD5, or a PDQ hash within the threshold when
     * the content's PDQ quality is high enough to trust a near match.
     */
    Optional<Match> knownContent(ContentHashes hashes);

    void addToBank(BankEntry entry);

    /** For deployments without a bank: nothing is known, nothing is remembered. */
    static HashMatching none() {
        return new HashMatching() {
            @Override
            public Optional<String> verdictWithContent(String sha256) {
                return Optional.empty();
            }

            @Override
            public void recordContent(String sha256, String verdictId) {
            }

            @Override
            public Optional<Match> knownContent(ContentHashes hashes) {
                return Optional.empty();
            }

            @Override
            public void addToBank(BankEntry entry) {
            }
        };
    }
}
