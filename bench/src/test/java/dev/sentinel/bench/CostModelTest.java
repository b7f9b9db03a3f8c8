package dev.sentinel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The arithmetic behind the results file: percentiles and the cost model. No timing is asserted. */
class CostModelTest {

    @Test
    void percentilesUseTheNearestRank() {
        double[] sample = new double[100];
        for (int i = 0; i < 100; i++) {
            sample[i] = 100 - i;
        }
        Stats stats = Stats.of(sample);
        assertEquals(50, stats.p50());
        assertEquals(99, stats.p99());
        assertEquals(1, stats.min());
        assertEquals(100, stats.max());
        assertEquals(50.5, stats.mean(), 1e-9);
        assertEquals(7, Stats.of(new double[] {7}).p99());
    }

    @Test
    void rekognitionDominatesItsModeAndMemoryOnlyStretchesCpuTime() {
        CostModel prices = CostModel.US_EAST_1;
        CostModel.Mode rekognition = new CostModel.Mode("rekognition", 10, 250, 1.0);
        // At a full vCPU: 10 ms CPU + 250 ms waiting; at half the memory the CPU part doubles, the wait does not.
        assertEquals(260, CostModel.msPerImage(rekognition, CostModel.FULL_VCPU_MB), 1e-9);
        assertEquals(270, CostModel.msPerImage(rekognition, 884), 0.1);
        CostModel.Estimate at1024 = prices.estimate(rekognition, 1024);
        assertEquals(1.0, at1024.rekognitionPer1000(), 1e-12, "1,000 images at $0.001");
        double gbSeconds = 1.0 * CostModel.msPerImage(rekognition, 1024) / 1000.0;
        assertEquals(1000 * (gbSeconds * 0.0000133334 + 0.20 / 1_000_000 / 10), at1024.lambdaPer1000(), 1e-12);
        assertTrue(at1024.totalPer1000() > at1024.rekognitionPer1000());
    }

    @Test
    void waitingBoundWorkIsCheapestSmallAndCpuBoundWorkIsNot() {
        CostModel prices = CostModel.US_EAST_1;
        CostModel.Mode waiting = new CostModel.Mode("waiting", 5, 250, 0);
        CostModel.Mode computing = new CostModel.Mode("computing", 300, 0, 0);
        assertEquals(512, prices.cheapest(waiting, 512, 1024, 1769, 2048).memoryMb());
        // CPU-bound cost is flat up to a full vCPU (time halves as memory doubles); ties go to the faster size.
        assertEquals(1769, prices.cheapest(computing, 512, 1024, 1769).memoryMb());
        assertEquals(1769, prices.cheapest(computing, 1769, 2048).memoryMb(), "beyond one vCPU only cost grows");
    }

    @Test
    void duplicatesSaveTheEngineCall() {
        CostModel prices = CostModel.US_EAST_1;
        CostModel.Mode rekognition = new CostModel.Mode("rekognition", 10, 250, 1.0);
        double none = prices.withDuplicates(rekognition, 1024, 0, 10);
        double half = prices.withDuplicates(rekognition, 1024, 0.5, 10);
        assertEquals(prices.estimate(rekognition, 1024).totalPer1000(), none, 1e-12);
        assertTrue(half < 0.55 * none && half > 0.45 * none, none + " vs " + half);
    }
}
