package dev.sentinel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Twenty decompression bombs and five honest large images through the decoder in a JVM whose heap is capped at
 * 128 MB, as a busy scan container would meet them: every bomb refused, every honest image decoded, no
 * OutOfMemoryError. Before the decoded-size cap and the decode budget, one such bomb alone needed over 384 MB.
 */
class DecompressionBombStreamTest {

    private static final long HEAP_BOUND_MB = 128;

    @Test
    void aStreamOfBombsKeepsTheHeapBoundedAndEveryBombIsRefused() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-Xmx" + HEAP_BOUND_MB + "m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), BombStream.class.getName(), "20", "5"))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the stream finished");
        assertEquals(0, child.exitValue(), output);

        Matcher result = Pattern.compile("refused=(\\d+) decoded=(\\d+) peakHeapMb=(\\d+) bombBytes=(\\d+)")
                .matcher(output);
        assertTrue(result.find(), output);
        System.out.println("decompression bomb stream: " + result.group());
        assertTrue(Long.parseLong(result.group(4)) < 1024 * 1024, "each bomb is under a megabyte: " + output);
        assertEquals(20, Integer.parseInt(result.group(1)), "every bomb refused: " + output);
        assertEquals(5, Integer.parseInt(result.group(2)), "every honest large image decoded: " + output);
        assertTrue(Long.parseLong(result.group(3)) <= HEAP_BOUND_MB, "peak heap " + result.group(3) + " MB");
    }
}
