package dev.sentinel.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.local.emulator.EmulatedStack;
import dev.sentinel.local.emulator.Emulator;
import dev.sentinel.local.emulator.EmulatorClients;
import dev.sentinel.local.iam.SamTransform;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.local.emulator.SqsEventSource;
import dev.sentinel.log.StructuredLog;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the emulator tests share: the emulator the environment asks for (moto started per test class by default), a
 * line per test class in {@code target/emulator-tests.txt} saying whether it ran or was skipped (CI fails on a
 * skip: see .ci/run), stacks deployed under names no other test uses, and waiting for what the pipeline does.
 */
final class EmulatorTests {

    /** Read by .ci/run: a class that could not run says so here, and CI fails. */
    static final Path MARKER = Path.of("target", "emulator-tests.txt");
    private static final AtomicInteger STACKS = new AtomicInteger();

    private EmulatorTests() {
    }

    /** The emulator for {@code testClass}, or the class is skipped (never passed) with the reason in one line. */
    static Emulator start(Class<?> testClass) {
        Emulator.Choice choice = Emulator.choose(System.getenv(), 0);
        if (choice instanceof Emulator.Choice.Unavailable unavailable) {
            mark("skipped " + testClass.getSimpleName() + ": " + unavailable.reason());
            System.out.println(testClass.getSimpleName() + " SKIPPED: " + unavailable.reason());
            Assumptions.abort(unavailable.reason());
        }
        Emulator emulator = ((Emulator.Choice.Available) choice).start().get();
        mark("ran " + testClass.getSimpleName() + " against " + emulator.name() + " at " + emulator.endpoint());
        return emulator;
    }

    /** For a test that lets the runner start the emulator: skipped, with the reason, when none can be had. */
    static void assumeAvailable(Class<?> testClass) {
        Emulator.Choice choice = Emulator.choose(System.getenv(), 0);
        if (choice instanceof Emulator.Choice.Unavailable unavailable) {
            mark("skipped " + testClass.getSimpleName() + ": " + unavailable.reason());
            Assumptions.abort(unavailable.reason());
        }
        mark("ran " + testClass.getSimpleName() + " against " + ((Emulator.Choice.Available) choice).description());
    }

    private static synchronized void mark(String line) {
        try {
            Files.createDirectories(MARKER.getParent());
            Files.writeString(MARKER, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes what a test class started, last started first; what never started (null) is passed over. */
    static void closeAll(AutoCloseable... started) {
        for (AutoCloseable each : started) {
            if (each != null) {
                try {
                    each.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not stop " + each, e);
                }
            }
        }
    }

    /** The repository's template.yaml, deployed with {@code parameters} under a stack name and prefix of its own. */
    static EmulatedStack deploy(Emulator emulator, EmulatorClients clients, Map<String, String> parameters) {
        return deploy(emulator, clients, SamTransform.repositoryTemplate(), parameters);
    }

    static EmulatedStack deploy(Emulator emulator, EmulatorClients clients, JsonNode template,
                                Map<String, String> parameters) {
        // Unique, so that stacks of several tests (and of earlier runs, on a LocalStack that stays up) never meet.
        String suffix = Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36) + STACKS.incrementAndGet();
        Map<String, String> named = new java.util.HashMap<>(parameters);
        named.put("NamePrefix", "t" + suffix);
        return EmulatedStack.deploy(emulator, clients, template, named, "sentinel-" + suffix);
    }

    /**
     * The scan function on {@code stack} (whose engine is the embedded one), failed messages back after a second, its
     * log in {@link #logOf}.
     */
    static EmulatedScanFunction embeddedFunction(EmulatedStack stack, Consumer<SqsEventSource.Invocation> listener) {
        return EmulatedScanFunction.start(stack, new EmulatedScanFunction.Rekognition(null, null, false), Map.of(),
                functionLog(stack), Duration.ofSeconds(1), listener);
    }

    /** Where the scan function on this stack logs (Lambda would send it to CloudWatch Logs). */
    static Path logOf(EmulatedStack stack) {
        return Path.of("target", "emulator-logs", stack.stackName() + ".log");
    }

    static StructuredLog functionLog(EmulatedStack stack) {
        try {
            Files.createDirectories(logOf(stack).getParent());
            return new StructuredLog(new PrintStream(new FileOutputStream(logOf(stack).toFile(), true), true,
                    StandardCharsets.UTF_8), Clock.systemUTC(), "scan-upload");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last error the function on this stack logged, for failure messages. */
    static String lastLoggedError(EmulatedStack stack) {
        try {
            return Files.readAllLines(logOf(stack)).stream().filter(l -> l.contains("\"ERROR\""))
                    .reduce((a, b) -> b).orElse("(no error logged)");
        } catch (IOException e) {
            return "(nothing logged)";
        }
    }

    /**
     * The verdict of this object version once it is carried out (published, held or quarantined), waiting for the
     * pipeline up to {@code timeout}.
     */
    static Optional<Verdict> awaitVerdict(EmulatedScanFunction function, String bucket, String key, String versionId,
                                          Duration timeout) throws InterruptedException {
        return await(() -> function.verdicts().historyOf(bucket, key).stream()
                .filter(v -> versionId == null || versionId.equals(v.object().versionId()))
                .filter(v -> v.placement().state().settled()).findFirst().orElse(null), timeout);
    }

    /**
     * This object version's verdict, or empty once the function has gone quiet without one: its queue empty and
     * nothing running, a few seconds after the upload (time for an emulator that notifies asynchronously).
     */
    static Optional<Verdict> awaitVerdictOrQuiet(EmulatedScanFunction function, String bucket, String key,
                                                 String versionId, Duration timeout) throws InterruptedException {
        long quietFrom = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Verdict> found = awaitVerdict(function, bucket, key, versionId, Duration.ZERO);
            if (found.isPresent() || System.nanoTime() > deadline) {
                return found;
            }
            if (System.nanoTime() > quietFrom && function.source().awaitIdle(Duration.ZERO)) {
                return awaitVerdict(function, bucket, key, versionId, Duration.ZERO);
            }
            Thread.sleep(200);
        }
    }

    static <T> Optional<T> await(Supplier<T> probe, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T found = probe.get();
            if (found != null) {
                return Optional.of(found);
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(100);
        }
    }

    /** The logical id of the resource a scan function variable names ({@code QUARANTINE_BUCKET}: QuarantineBucket). */
    static String referenced(EmulatedStack stack, String variable) {
        return stack.stack().environment(EmulatedScanFunction.FUNCTION).path(variable).path("Ref").asText();
    }

    /** Whether this object (version, if given) is in the bucket. */
    static boolean exists(S3Client s3, String bucket, String key, String version) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key).versionId(version));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** A sample image of the repository (local/samples). */
    static byte[] sample(String name) {
        try {
            return Files.readAllBytes(SamTransform.repositoryRoot().resolve("local/samples").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> sampleImages() {
        return List.of("bridge-512.jpg", "street-q0003.jpg", "street-q0291.jpg", "street-q2821.jpg", "wee.jpg");
    }
}
