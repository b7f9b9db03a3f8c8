package dev.sentinel.objects;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A checksum S3 keeps for an object: its algorithm as S3 names it ({@code CRC64NVME}, {@code CRC32}, {@code SHA256},
 * ...), its base64 value, and its type. A full-object checksum covers the object's bytes from first to last; a
 * composite one is a checksum of its parts' checksums, so it depends on how the object was cut into parts and says
 * nothing about another object cut differently.
 *
 * @param type {@code FULL_OBJECT}, {@code COMPOSITE}, or null when the server did not say
 */
public record ObjectChecksum(String algorithm, String value, String type) {

    public static final String SHA256 = "SHA256";
    public static final String FULL_OBJECT = "FULL_OBJECT";

    public ObjectChecksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(value, "value");
    }

    /** The SHA-256 of bytes this pipeline hashed itself, as S3 writes a full-object SHA-256. */
    public static ObjectChecksum sha256(String hex) {
        return new ObjectChecksum(SHA256, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)),
                FULL_OBJECT);
    }

    /**
     * Whether it covers the whole object. A server that does not name the type is judged by the value: S3 writes a
     * composite checksum with a dash and the number of parts after it, and base64 has no dash.
     */
    public boolean fullObject() {
        return type == null ? !value.contains("-") : FULL_OBJECT.equals(type);
    }

    /** A CRC, the only kind S3 can compute over a whole object assembled from parts. */
    public boolean crc() {
        return algorithm.startsWith("CRC");
    }

    /** Both cover whole objects, with the same algorithm, and agree: the same bytes. */
    public boolean sameContentAs(ObjectChecksum other) {
        return other != null && fullObject() && other.fullObject() && algorithm.equals(other.algorithm)
                && value.equals(other.value);
    }
}
