package dev.sentinel.verdict;

/**
 * The object tag that carries a verdict's placement on an upload: the uploads bucket's policy serves only objects
 * tagged {@link #APPROVED}. Written by the scan, and by people's decisions on review, notices and appeals.
 */
public final class VisibilityTag {

    /** The tag that makes an object readable through the uploads bucket's policy. */
    public static final String KEY = "moderation";
    public static final String APPROVED = "approved";
    public static final String HELD = "held";

    private VisibilityTag() {
    }
}
