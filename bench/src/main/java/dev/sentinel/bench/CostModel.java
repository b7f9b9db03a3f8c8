package dev.sentinel.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What 1,000 images cost on AWS from this pipeline's measured per-image times: Lambda (arm64, per GB-second and per
 * request), Rekognition per image, and the queue. CPU-bound time shrinks as memory grows up to one full vCPU at
 * 1,769 MB; time spent waiting on a service does not.
 *
 * @param lambdaPerGbSecond     arm64, us-east-1, first pricing tier
 * @param lambdaPerRequest      per invocation
 * @param rekognitionPerImage   DetectModerationLabels, first million images a month
 * @param sqsPerRequest         standard queue; a batch of 10 is received and deleted in two requests
 * @param imagesPerInvocation   SQS batch size of the scan function
 */
public record CostModel(double lambdaPerGbSecond, double lambdaPerRequest, double rekognitionPerImage,
                        double sqsPerRequest, int imagesPerInvocation) {

    /** Published us-east-1 prices (see docs/benchmarks.md for sources and date). */
    public static final CostModel US_EAST_1 = new CostModel(0.0000133334, 0.20 / 1_000_000, 0.001,
            0.40 / 1_000_000, 10);

    /** Memory at which Lambda gives a function one full vCPU. */
    public static final int FULL_VCPU_MB = 1769;

    /**
     * Time per image in one engine mode, split by what scales with CPU.
     *
     * @param cpuMsAtOneVcpu     pipeline and engine CPU time per image with one full vCPU
     * @param waitMs             time waiting on other services per image (Rekognition, S3, DynamoDB round trips)
     * @param rekognitionShare   share of images sent to Rekognition (1 for rekognition, the escalation rate for
     *                           cascade, 0 for embedded)
     */
    public record Mode(String name, double cpuMsAtOneVcpu, double waitMs, double rekognitionShare) { }

    /** Cost of one mode at one memory size. */
    public record Estimate(String mode, int memoryMb, double msPerImage, double lambdaPer1000, double rekognitionPer1000,
                           double queuePer1000, double totalPer1000) { }

    /** Milliseconds per image at {@code memoryMb}: CPU time stretched below one vCPU, waits unchanged. */
    public static double msPerImage(Mode mode, int memoryMb) {
        double cpuShare = Math.min(1.0, memoryMb / (double) FULL_VCPU_MB);
        return mode.cpuMsAtOneVcpu() / cpuShare + mode.waitMs();
    }

    public Estimate estimate(Mode mode, int memoryMb) {
        double ms = msPerImage(mode, memoryMb);
        double gbSeconds = memoryMb / 1024.0 * ms / 1000.0;
        double lambda = 1000 * (gbSeconds * lambdaPerGbSecond + lambdaPerRequest / imagesPerInvocation);
        double rekognition = 1000 * mode.rekognitionShare() * rekognitionPerImage;
        // Per message: one send by S3; per batch: one receive and one delete.
        double queue = 1000 * sqsPerRequest * (1 + 2.0 / imagesPerInvocation);
        return new Estimate(mode.name(), memoryMb, ms, lambda, rekognition, queue, lambda + rekognition + queue);
    }

    /** The cheapest of {@code memorySizes} for the mode; ties go to the larger (faster) size. */
    public Estimate cheapest(Mode mode, int... memorySizes) {
        Estimate best = null;
        for (int memory : memorySizes) {
            Estimate e = estimate(mode, memory);
            if (best == null || e.totalPer1000() < best.totalPer1000() - 1e-12
                    || (Math.abs(e.totalPer1000() - best.totalPer1000()) < 1e-12 && memory > best.memoryMb())) {
                best = e;
            }
        }
        return best;
    }

    /**
     * Cost per 1,000 uploads when a share of them repeat bytes already decided: a duplicate costs only the
     * pipeline's own time ({@code reuseMs}, hashing and a lookup), no engine call.
     */
    public double withDuplicates(Mode mode, int memoryMb, double duplicateShare, double reuseMs) {
        Estimate fresh = estimate(mode, memoryMb);
        double reuseLambda = 1000 * (memoryMb / 1024.0 * reuseMs / 1000.0 * lambdaPerGbSecond
                + lambdaPerRequest / imagesPerInvocation);
        return (1 - duplicateShare) * fresh.totalPer1000() + duplicateShare * (reuseLambda + fresh.queuePer1000());
    }

    public List<Estimate> table(List<Mode> modes, int... memorySizes) {
        List<Estimate> rows = new ArrayList<>();
        for (Mode mode : modes) {
            for (int memory : memorySizes) {
                rows.add(estimate(mode, memory));
            }
        }
        return rows;
    }
}
