package dev.sentinel.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line of the local runner.
 *
 * @param inputs              images or folders to upload and scan; empty means the bundled samples
 * @param events              sample events to replay as {@code sam local invoke -e} would
 * @param engine              moderation engine
 * @param rekognitionEndpoint an endpoint to use instead of Amazon Rekognition (a stand-in; no emulator has it)
 * @param policy              policy source, e.g. {@code bundled:default-v7} or {@code file:my-policy.json}
 * @param jsonOut             where the verdicts are written as JSON
 * @param watch               keep scanning whatever any S3 client uploads to the local S3 server
 * @param watchFor            stop watching after this long; null to watch until interrupted
 * @param s3Port              port of the local S3 server, 0 for any free one
 * @param hashLists           hash lists (CSV or JSON) to import into the bank before scanning
 * @param exportHashes        where to write the bank as CSV after the run; null for nowhere
 * @param operations          rescan and redrive requests
 * @param console             serve the API and the reviewer console on localhost (and keep watching uploads)
 * @param apiPort             port of the local API, 0 for any free one
 * @param report              write a transparency report after the run; null for none
 * @param emulator            deploy template.yaml's data plane into an AWS emulator and scan through its S3
 *                            notifications instead of the in-process servers
 */
record RunnerOptions(List<Path> inputs, List<Path> events, String engine, double cascadeEscalateAt,
                     URI rekognitionEndpoint, String policy, Path jsonOut, boolean watch, Duration watchFor, int s3Port,
                     List<Path> hashLists, Path exportHashes, boolean help, Operations operations, boolean console,
                     int apiPort, Report report, boolean emulator) {

    /**
     * @param from, to the period as ISO-8601 instants or dates; null for the default (the last 30 days)
     * @param out      where the JSON goes; the CSV goes beside it
     */
    record Report(String from, String to, Path out) { }

    /**
     * @param rescanPrefix    after scanning, rescan everything under this prefix; null for no rescan
     * @param rescanPolicy    the policy the rescan applies; null for the run's policy
     * @param redrive         replay a dead-letter queue instead of scanning
     * @param sqsEndpoint     SQS endpoint for the redrive (LocalStack, ElasticMQ); null for AWS
     * @param scanQueue       the scan queue's URL
     * @param deadLetterQueue the dead-letter queue's URL
     */
    record Operations(String rescanPrefix, String rescanPolicy, boolean redrive, URI sqsEndpoint, String scanQueue,
                      String deadLetterQueue) { }

    static final String USAGE = """
            Usage: mvn -q -DskipTests -pl local/runner -am test-compile exec:java -Dexec.args="[options] [image|folder ...]"
              Scans images through the real scan function against local S3 and DynamoDB servers started in-process,
              then prints the verdicts. With no images, scans local/samples/.
            Options:
              --events                 replay every S3 and SQS sample in events/ (uploads an image at each key first)
              --event FILE             replay one sample event
              --engine NAME            embedded (default: offline nsfwjs classifier in the JVM), rekognition
                                       (needs AWS credentials and a region), or cascade (embedded first,
                                       Rekognition for what it does not call clearly safe)
              --cascade-escalate-at P  cascade: send to Rekognition when any embedded label scores P% or more
                                       (default 2)
              --rekognition-endpoint U send Rekognition calls to U (a stand-in: no AWS emulator has Rekognition)
              --policy SOURCE          bundled:NAME or file:PATH (default bundled:embedded-v7 for the embedded
                                       engine, bundled:default-v7 otherwise)
              --json FILE              write verdicts as JSON here (default local-output/verdicts.json)
              --watch                  then keep scanning every object uploaded to the local S3 server (PUT with
                                       any S3 client, e.g. aws --endpoint-url URL s3 cp x.jpg s3://BUCKET/)
              --watch-for SECONDS      stop watching after this many seconds (default: until Ctrl-C)
              --s3-port N              run the local S3 server (or moto, with --emulator) on port N (default: a
                                       free port)
              --emulator               deploy template.yaml's buckets, queues, tables and key into an AWS emulator
                                       (moto, started here; or LocalStack with SENTINEL_EMULATOR=localstack, or
                                       the endpoint in AWS_ENDPOINT_URL) and scan through its S3 notifications
                                       and the scan queue, as deployed; with --watch, any S3 client can upload
              --import-hashes FILE     import a hash list (.csv or .json) into the bank of known content first;
                                       uploads matching it are quarantined without an engine call
              --export-hashes FILE     write the bank as CSV after the run
              --rescan PREFIX          then rescan every object under PREFIX (uploads and quarantine copies), with
                                       progress: stricter outcomes are carried out, looser ones held for a person
              --rescan-policy SOURCE   the policy the rescan applies (default: the run's --policy), e.g. after
                                       editing a policy file
              --redrive                replay a scan dead-letter queue (SQS message move task) and follow its
                                       progress; needs --scan-queue and --dead-letter-queue (URLs from the stack's
                                       outputs), AWS credentials, and --sqs-endpoint for LocalStack
              --console                then serve the API and the reviewer console on 127.0.0.1 (prints a link
                                       with a local reviewer token) and keep scanning new uploads
              --api-port N             run the local API on port N (default 8787; 0 for a free port)
              --transparency-report    after the run, write a DSA-shaped transparency report of the local tables
                                       to local-output/transparency-report.json and .csv and print its totals
              --report-from DATE       the report's period (ISO-8601 date or instant; default 30 days before
              --report-to DATE         --report-to, which defaults to now)
              --report-out FILE        write the report's JSON here instead (the CSV goes beside it)
              --help                   this text
            """;

    static RunnerOptions parse(String[] args, Path repo) {
        List<Path> inputs = new ArrayList<>();
        List<Path> events = new ArrayList<>();
        String engine = "embedded";
        double escalateAt = dev.sentinel.config.ScanSettings.DEFAULT_CASCADE_ESCALATE_AT;
        URI endpoint = null;
        String policy = null;
        Path json = repo.resolve("local-output/verdicts.json");
        boolean help = false;
        boolean watch = false;
        Duration watchFor = null;
        int s3Port = 0;
        List<Path> hashLists = new ArrayList<>();
        Path exportHashes = null;
        String rescanPrefix = null;
        String rescanPolicy = null;
        boolean redrive = false;
        URI sqsEndpoint = null;
        String scanQueue = null;
        String deadLetterQueue = null;
        boolean console = false;
        boolean report = false;
        String reportFrom = null;
        String reportTo = null;
        Path reportOut = repo.resolve("local-output/transparency-report.json");
        int apiPort = 8787;
        boolean emulator = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> help = true;
                case "--events" -> events.addAll(listEvents(repo.resolve("events")));
                case "--event" -> events.add(resolve(repo, value(args, ++i, arg)));
                case "--engine" -> engine = value(args, ++i, arg);
                case "--cascade-escalate-at" -> escalateAt = number(value(args, ++i, arg), arg, 1, 100);
                case "--rekognition-endpoint" -> endpoint = URI.create(value(args, ++i, arg));
                case "--policy" -> policy = value(args, ++i, arg);
                case "--json" -> json = resolve(repo, value(args, ++i, arg));
                case "--watch" -> watch = true;
                case "--import-hashes" -> hashLists.add(resolve(repo, value(args, ++i, arg)));
                case "--export-hashes" -> exportHashes = resolve(repo, value(args, ++i, arg));
                case "--watch-for" -> watchFor = Duration.ofSeconds(number(value(args, ++i, arg), arg, 1, 86_400));
                case "--rescan" -> rescanPrefix = value(args, ++i, arg);
                case "--rescan-policy" -> rescanPolicy = value(args, ++i, arg);
                case "--redrive" -> redrive = true;
                case "--sqs-endpoint" -> sqsEndpoint = URI.create(value(args, ++i, arg));
                case "--scan-queue" -> scanQueue = value(args, ++i, arg);
                case "--dead-letter-queue" -> deadLetterQueue = value(args, ++i, arg);
                case "--console" -> console = true;
                case "--transparency-report" -> report = true;
                case "--report-from" -> reportFrom = value(args, ++i, arg);
                case "--report-to" -> reportTo = value(args, ++i, arg);
                case "--report-out" -> {
                    reportOut = resolve(repo, value(args, ++i, arg));
                    report = true;
                }
                case "--api-port" -> apiPort = (int) number(value(args, ++i, arg), arg, 0, 65_535);
                case "--s3-port" -> s3Port = (int) number(value(args, ++i, arg), arg, 1, 65_535);
                case "--emulator" -> emulator = true;
                default -> {
                    if (arg.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
                    }
                    inputs.add(resolve(repo, arg));
                }
            }
        }
        if (redrive && (scanQueue == null || deadLetterQueue == null)) {
            throw new IllegalArgumentException("--redrive needs --scan-queue URL and --dead-letter-queue URL");
        }
        if (emulator && (!events.isEmpty() || console || rescanPrefix != null || redrive || report
                || !hashLists.isEmpty() || exportHashes != null)) {
            throw new IllegalArgumentException("--emulator scans images and watches uploads; --events, --console, "
                    + "--rescan, --redrive, hash lists and reports run without it");
        }
        if (!List.of("embedded", "rekognition", "cascade").contains(engine)) {
            throw new IllegalArgumentException("--engine must be embedded, rekognition or cascade, was " + engine);
        }
        return new RunnerOptions(List.copyOf(inputs), List.copyOf(events), engine, escalateAt, endpoint,
                policy == null ? dev.sentinel.config.ScanSettings.defaultPolicyFor(engine) : policy, json,
                watch || watchFor != null || console, watchFor, s3Port, List.copyOf(hashLists), exportHashes, help,
                new Operations(rescanPrefix, rescanPolicy, redrive, sqsEndpoint, scanQueue, deadLetterQueue),
                console, apiPort, report || reportFrom != null || reportTo != null
                        ? new Report(reportFrom, reportTo, reportOut)
                        : null, emulator);
    }

    private static long number(String text, String option, long min, long max) {
        try {
            long n = Long.parseLong(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number from " + min + " to " + max
                + ", was " + text);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    /** Paths are taken relative to the directory the user ran Maven from, which exec:java makes the repo root. */
    private static Path resolve(Path repo, String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : repo.resolve(p).normalize();
    }

    private static List<Path> listEvents(Path dir) {
        try (var files = java.nio.file.Files.list(dir)) {
            // The scan function's events; api-*.json are HTTP API requests for the API functions.
            return files.filter(f -> f.getFileName().toString().matches("(s3|sqs)-.*\\.json")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot list sample events in " + dir + ": " + e.getMessage());
        }
    }
}
