package dev.sentinel.bench;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.store.VerdictTable;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * The part of a deployment the benchmarks scan against on the local servers: versioned uploads and quarantine
 * buckets, a verdicts table, and a Rekognition stand-in that reads images from S3 as the real one does and sees
 * nothing in them, so every upload is published and the time measured is the pipeline's own.
 */
final class BenchDeployment {

    private BenchDeployment() {
    }

    /** The local servers (SQS included), started with their start-up chatter kept off the bench's output. */
    static LocalAws quietServers() {
        Logger.getLogger("").setLevel(Level.WARNING);
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            LocalAws servers = LocalAws.start();
            servers.sqsEndpoint();
            return servers;
        } finally {
            System.setOut(stdout);
        }
    }

    static void create(LocalAws servers, AwsClients clients, String uploads, String quarantine, String verdictTable) {
        for (String bucket : List.of(uploads, quarantine)) {
            clients.s3().createBucket(b -> b.bucket(bucket));
            clients.s3().putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        VerdictTable.createIfMissing(clients.dynamo(), verdictTable);
        RekognitionStandIn standIn = servers.rekognition();
        standIn.reset();
        standIn.readS3With(location -> clients.s3().getObjectAsBytes(b -> b.bucket(location.bucket())
                .key(location.name()).versionId(location.version())).asByteArray());
        standIn.respondWith(request -> request.operation().equals("DetectFaces")
                ? RekognitionStandIn.faces(List.of()) : RekognitionStandIn.moderationLabels(List.of()));
    }
}
