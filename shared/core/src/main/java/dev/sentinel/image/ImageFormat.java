package dev.sentinel.image;

/**
 * Image formats told apart by their leading bytes, never by file name or declared content type, since an
 * uploader controls both.
 */
public enum ImageFormat {
    JPEG("image/jpeg", true),
    PNG("image/png", true),
    GIF("image/gif", false),
    WEBP("image/webp", false),
    BMP("image/bmp", false),
    TIFF("image/tiff", false),
    HEIC("image/heic", false),
    /** Not an image format this system reads (or not an image at all). */
    UNKNOWN("application/octet-stream", false);

    private final String mediaType;
    private final boolean acceptedByRekognition;

    ImageFormat(String mediaType, boolean acceptedByRekognition) {
        this.mediaType = mediaType;
        this.acceptedByRekognition = acceptedByRekognition;
    }

    public String mediaType() {
        return mediaType;
    }

    /** Rekognition's image operations take only JPEG and PNG; every other format is converted first. */
    public boolean acceptedByRekognition() {
        return acceptedByRekognition;
    }

    public static ImageFormat sniff(byte[] head) {
        if (head == null || head.length < 4) {
            return UNKNOWN;
        }
        if (u(head, 0) == 0xFF && u(head, 1) == 0xD8 && u(head, 2) == 0xFF) {
            return JPEG;
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(head, 0, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (head.length >= 12 && startsWith(head, 0, 'R', 'I', 'F', 'F') && startsWith(head, 8, 'W', 'E', 'B', 'P')) {
            return WEBP;
        }
        if (startsWith(head, 0, 'B', 'M') && head.length >= 26) {
            return BMP;
        }
        if (startsWith(head, 0, 'I', 'I', 42, 0) || startsWith(head, 0, 'M', 'M', 0, 42)) {
            return TIFF;
        }
        if (head.length >= 12 && startsWith(head, 4, 'f', 't', 'y', 'p')
                && (startsWith(head, 8, 'h', 'e', 'i', 'c') || startsWith(head, 8, 'h', 'e', 'i', 'x')
                    || startsWith(head, 8, 'm', 'i', 'f', '1') || startsWith(head, 8, 'a', 'v', 'i', 'f'))) {
            return HEIC;
        }
        return UNKNOWN;
    }

    private static int u(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static boolean startsWith(byte[] b, int offset, int... expected) {
        if (b.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (u(b, offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
