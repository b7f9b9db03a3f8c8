package dev.sentinel.hash;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 256-bit PDQ hash and its quality (0..100). Bit {@code k} is coefficient {@code k} of the 16x16 DCT (row-major)
 * being above the median. The hex form is the 256-bit number written big-endian, 64 hex digits, as Meta's
 * implementations and the shared hash lists (ThreatExchange, StopNCII) write it.
 */
public record PdqHash(long[] bits, int quality) {

    public static final int BITS = 256;

    public PdqHash {
        if (bits.length != 4) {
            throw new IllegalArgumentException("a PDQ hash has 256 bits");
        }
        bits = bits.clone();
    }

    public static PdqHash fromHex(String hex) {
        return fromHex(hex, 100);
    }

    public static PdqHash fromHex(String hex, int quality) {
        if (hex == null || hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("a PDQ hash is 64 hex digits");
        }
        long[] bits = new long[4];
        for (int word = 0; word < 4; word++) {
            int end = 64 - word * 16;
            bits[word] = Long.parseUnsignedLong(hex.substring(end - 16, end), 16);
        }
        return new PdqHash(bits, quality);
    }

    public String hex() {
        StringBuilder out = new StringBuilder(64);
        for (int word = 3; word >= 0; word--) {
            out.append(HexFormat.of().toHexDigits(bits[word]));
        }
        return out.toString();
    }

    public int distance(PdqHash other) {
        int d = 0;
        for (int i = 0; i < 4; i++) {
            d += Long.bitCount(bits[i] ^ other.bits[i]);
        }
        return d;
    }

    /** The 16-bit band {@code band} (0..15), bits {@code 16*band .. 16*band+15}: the unit of the match index. */
    public int band(int band) {
        return (int) (bits[band >>> 2] >>> ((band & 3) * 16)) & 0xFFFF;
    }

    public boolean bit(int k) {
        return (bits[k >>> 6] >>> (k & 63) & 1L) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PdqHash other && Arrays.equals(bits, other.bits) && quality == other.quality;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits) * 31 + quality;
    }

    @Override
    public String toString() {
        return hex() + " (quality " + quality + ")";
    }
}
