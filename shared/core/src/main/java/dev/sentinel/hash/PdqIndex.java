package dev.sentinel.hash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Near-match search over many PDQ hashes without comparing against all of them. The 256 bits are split into 16
 * bands of 16 bits. By pigeonhole, two hashes at most 15 bits apart agree exactly on at least one band, and two
 * hashes at most 31 bits apart have at least one band where they differ in at most one bit (16 bands sharing 31
 * differing bits cannot all hold two or more). So each band is probed with its exact value and, for thresholds
 * above 15, its 16 one-bit neighbours; candidates are then checked by full distance.
 *
 * <p>Per band, a head array over all 65,536 values and a next array over entries form linked lists: 4 MB plus
 * 64 bytes per entry for the lists and 32 per entry for the hashes. With N random hashes a probe visits about
 * 16 x 17 x N / 65,536 candidates: about 4,000 at a million, each a 4-word XOR and popcount. Safe for concurrent
 * reads; adds are synchronized.
 */
public final class PdqIndex {

    private static final int BANDS = 16;
    private static final int VALUES = 1 << 16;

    private final int[][] heads = new int[BANDS][VALUES];
    private int[][] next;
    private long[] hashes;
    private int size;

    public PdqIndex(int initialCapacity) {
        int capacity = Math.max(16, initialCapacity);
        next = new int[BANDS][capacity];
        hashes = new long[capacity * 4];
        for (int[] head : heads) {
            Arrays.fill(head, -1);
        }
    }

    public PdqIndex() {
        this(1024);
    }

    public int size() {
        return size;
    }

    /** Adds a hash; returns its position, the handle {@link #within} reports. */
    public synchronized int add(PdqHash hash) {
        if (size == next[0].length) {
            int capacity = size * 2;
            for (int b = 0; b < BANDS; b++) {
                next[b] = Arrays.copyOf(next[b], capacity);
            }
            hashes = Arrays.copyOf(hashes, capacity * 4);
        }
        int id = size;
        System.arraycopy(hash.bits(), 0, hashes, id * 4, 4);
        for (int b = 0; b < BANDS; b++) {
            int value = hash.band(b);
            next[b][id] = heads[b][value];
            heads[b][value] = id;
        }
        size = id + 1;
        return id;
    }

    /** A position and its distance to the probe. */
    public record Match(int position, int distance) { }

    /** Every indexed hash within {@code maxDistance} (at most 31) of {@code probe}, nearest first. */
    public List<Match> within(PdqHash probe, int maxDistance) {
        if (maxDistance < 0 || maxDistance > 31) {
            throw new IllegalArgumentException("the band index answers distances up to 31, asked " + maxDistance);
        }
        long[] p = probe.bits();
        long[] stored = hashes;
        List<Match> found = new ArrayList<>();
        java.util.Set<Integer> reported = new java.util.HashSet<>();
        int neighbours = maxDistance <= 15 ? 0 : 16;
        for (int b = 0; b < BANDS; b++) {
            int value = probe.band(b);
            int[] chain = next[b];
            for (int flip = -1; flip < neighbours; flip++) {
                int probeValue = flip < 0 ? value : value ^ (1 << flip);
                // A hash reached through several bands is checked again rather than tracked: cheaper than a
                // visited set over the whole index for each probe.
                for (int id = heads[b][probeValue]; id >= 0; id = chain[id]) {
                    int base = id * 4;
                    int d = Long.bitCount(p[0] ^ stored[base]) + Long.bitCount(p[1] ^ stored[base + 1])
                            + Long.bitCount(p[2] ^ stored[base + 2]) + Long.bitCount(p[3] ^ stored[base + 3]);
                    if (d <= maxDistance && reported.add(id)) {
                        found.add(new Match(id, d));
                    }
                }
            }
        }
        found.sort(java.util.Comparator.comparingInt(Match::distance));
        return found;
    }
}
