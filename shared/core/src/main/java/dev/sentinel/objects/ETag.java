package dev.sentinel.objects;

/** S3 quotes an ETag in headers and most API answers, but not in event notifications; ids use it unquoted. */
public final class ETag {

    private ETag() {
    }

    /** The ETag without its quotes; null stays null. */
    public static String unquoted(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "");
    }
}
