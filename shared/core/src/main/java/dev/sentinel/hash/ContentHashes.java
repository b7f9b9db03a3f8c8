package dev.sentinel.hash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identities of one content: exact (SHA-256, and MD5 because some shared hash lists still use it) and perceptual
 * (PDQ, null when the bytes could not be decoded as an image).
 */
public record ContentHashes(String sha256, String md5, String pdq, Integer pdqQuality) {

    public static String sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    public static String md5(byte[] bytes) {
        return digest("MD5", bytes);
    }

    private static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is always available", e);
        }
    }
}
