package dev.sentinel.local;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.queue.DeadLetterRedrive;
import java.io.PrintStream;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code --redrive}: replays a deployment's scan dead-letter queue and follows the move until it ends. */
final class Redrive {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration GIVE_UP = Duration.ofMinutes(30);

    private Redrive() {
    }

    static int run(RunnerOptions.Operations options, Region region, AwsCredentialsProvider credentials,
                   PrintStream out, PrintStream err) {
        try (SqsClient sqs = AwsClients.sqs(region, credentials, options.sqsEndpoint())) {
            DeadLetterRedrive redrive = new DeadLetterRedrive(sqs, options.deadLetterQueue(), options.scanQueue());
            long depth = redrive.depth();
            if (depth == 0) {
                out.println("The dead-letter queue is empty; nothing to redrive.");
                return 0;
            }
            err.printf("Moving %d dead letters back to the scan queue...%n", depth);
            DeadLetterRedrive.Task task = redrive.start(null);
            long deadline = System.nanoTime() + GIVE_UP.toNanos();
            while (!task.finished() && System.nanoTime() < deadline) {
                err.printf("[redrive] %s: %d moved, %d to move%n", task.status(), task.moved(), task.toMove());
                Thread.sleep(POLL.toMillis());
                String handle = task.taskHandle();
                task = redrive.tasks().stream().filter(t -> handle.equals(t.taskHandle())).findFirst().orElse(task);
            }
            out.printf("Redrive %s: %d messages moved%s%n", task.status(), task.moved(),
                    task.failureReason() == null ? "" : " (" + task.failureReason() + ")");
            return task.status().equals("COMPLETED") ? 0 : 1;
        } catch (SdkException e) {
            err.println("redrive failed: " + e.getMessage());
            return 69;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
