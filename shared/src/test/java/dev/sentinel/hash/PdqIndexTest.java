package dev.sentinel.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PdqIndexTest {

    @Test
    void findsExactlyWhatABruteForceScanFinds() {
        Random random = new Random(42);
        PdqIndex index = new PdqIndex(16);
        List<PdqHash> stored = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            PdqHash hash = randomHash(random);
            stored.add(hash);
            index.add(hash);
        }
        for (int q = 0; q < 200; q++) {
            PdqHash base = stored.get(random.nextInt(stored.size()));
            PdqHash probe = flip(base, random, q % 40);
            for (int threshold : new int[] {0, 15, 31}) {
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < stored.size(); i++) {
                    if (stored.get(i).distance(probe) <= threshold) {
                        expected.add(i);
                    }
                }
                List<Integer> actual = index.within(probe, threshold).stream().map(PdqIndex.Match::position)
                        .sorted().toList();
                assertEquals(expected, actual, "flips " + (q % 40) + ", threshold " + threshold);
            }
        }
    }

    @Test
    void boundaryDistancesThirtyOneAndThirtyTwo() {
        Random random = new Random(7);
        PdqHash base = randomHash(random);
        PdqIndex index = new PdqIndex();
        index.add(base);

        assertEquals(1, index.within(flip(base, random, 31), 31).size());
        assertEquals(0, index.within(flip(base, random, 32), 31).size());
        assertThrows(IllegalArgumentException.class, () -> index.within(base, 32));
    }

    private static PdqHash randomHash(Random random) {
        return new PdqHash(new long[] {random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong()},
                100);
    }

    /** Flips exactly {@code n} distinct bits. */
    private static PdqHash flip(PdqHash hash, Random random, int n) {
        long[] bits = hash.bits().clone();
        java.util.Set<Integer> chosen = new java.util.HashSet<>();
        while (chosen.size() < n) {
            chosen.add(random.nextInt(256));
        }
        for (int k : chosen) {
            bits[k >>> 6] ^= 1L << (k & 63);
        }
        return new PdqHash(bits, 100);
    }
}
