package dev.sentinel.bench;

import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.hash.PdqIndex;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PDQ on a 1 MP JPEG (a sample photo scaled to 1024 x 1024), with and without the JPEG decode, and near-match
 * lookups (distance 31) in indexes of random hashes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PdqBenchmark {

    @State(Scope.Benchmark)
    public static class Photo {
        byte[] jpeg;
        BufferedImage decoded;

        @Setup(Level.Trial)
        public void load() throws IOException {
            BufferedImage sample = ImageIO.read(Path.of("local/samples/bridge-512.jpg").toFile());
            BufferedImage big = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
            big.createGraphics().drawImage(sample, 0, 0, 1024, 1024, null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(big, "jpeg", out);
            jpeg = out.toByteArray();
            decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        }
    }

    @State(Scope.Benchmark)
    public static class Bank {
        @Param({"100000", "1000000"})
        int size;
        PdqIndex index;
        PdqHash[] probes;
        int next;

        @Setup(Level.Trial)
        public void fill() {
            Random random = new Random(1);
            index = new PdqIndex(size);
            for (int i = 0; i < size; i++) {
                index.add(new PdqHash(new long[] {random.nextLong(), random.nextLong(), random.nextLong(),
                    random.nextLong()}, 100));
            }
            probes = new PdqHash[1024];
            for (int i = 0; i < probes.length; i++) {
                probes[i] = new PdqHash(new long[] {random.nextLong(), random.nextLong(), random.nextLong(),
                    random.nextLong()}, 100);
            }
        }
    }

    @Benchmark
    public PdqHash hashDecodedImage(Photo photo) {
        return new PdqHasher().hash(photo.decoded);
    }

    @Benchmark
    public PdqHash decodeAndHashJpeg(Photo photo) throws IOException {
        return new PdqHasher().hash(ImageIO.read(new ByteArrayInputStream(photo.jpeg)));
    }

    @Benchmark
    public int lookupWithinDistance31(Bank bank) {
        PdqHash probe = bank.probes[bank.next++ & 1023];
        return bank.index.within(probe, PdqHasher.MATCH_DISTANCE).size();
    }
}
