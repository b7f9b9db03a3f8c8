package dev.sentinel.image;

import dev.sentinel.testing.TestImages;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Run in a JVM of its own with a small heap by {@link DecompressionBombStreamTest}: a stream of decompression bombs
 * and of honest large images through the decoder as the scan uses it. Prints one line:
 * {@code refused=N decoded=M peakHeapMb=P}.
 */
public final class BombStream {

    private BombStream() {
    }

    public static void main(String[] args) {
        int bombs = Integer.parseInt(args[0]);
        int large = Integer.parseInt(args[1]);
        // Under a megabyte on disk, 800 MB once decoded, and within the pixel cap.
        byte[] bomb = TestImages.flatPng(10_000, 10_000, 16, 6);
        // 144 MB at full size: within the decoded-size cap, read subsampled within the decode budget.
        byte[] honest = TestImages.flatPng(6000, 6000, 8, 6);
        ImageDecoder decoder = new ImageDecoder();
        int refused = 0;
        int decoded = 0;
        // Alternating, so an honest image follows a bomb as uploads would mix in one container.
        int bombsLeft = bombs;
        int largeLeft = large;
        while (bombsLeft + largeLeft > 0) {
            boolean nextIsBomb = bombsLeft > 0 && (largeLeft == 0 || bombsLeft >= largeLeft);
            try {
                decoder.decode(nextIsBomb ? bomb : honest, 2048);
                decoded++;
            } catch (UnreadableImageException e) {
                refused++;
                if (!nextIsBomb) {
                    Throwable cause = e;
                    while (cause.getCause() != null) {
                        cause = cause.getCause();
                    }
                    System.out.println("an honest image was refused: " + e.getMessage() + " (" + cause + ")");
                }
            }
            if (nextIsBomb) {
                bombsLeft--;
            } else {
                largeLeft--;
            }
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("refused=%d decoded=%d peakHeapMb=%d bombBytes=%d%n", refused, decoded, peak >> 20,
                bomb.length);
    }
}
