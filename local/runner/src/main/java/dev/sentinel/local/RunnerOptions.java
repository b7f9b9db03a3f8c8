package dev.sentinel.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line of the local runner.
 *
 * @param inputs              images or folders to upload and scan; empty means the bundled samples
 * @param events              sample events to replay as {@code sam local invoke -e} would
 * @param engine              moderation engine
 * @param rekognitionEndpoint an endpoint to use instead of Amazon Rekognition (LocalStack, a stand-in)
 * @param policy              policy source, e.g. {@code bundled:default-v7} or {@code file:my-policy.json}
 * @param jsonOut             where the verdicts are written as JSON
 */
record RunnerOptions(List<Path> inputs, List<Path> events, String engine, URI rekognitionEndpoint, String policy,
                     Path jsonOut, boolean help) {

    static final String USAGE = """
            Usage: mvn -q -DskipTests install exec:java -pl local/runner -Dexec.args="[options] [image|folder ...]"
              Scans images through the real scan function against local S3 and DynamoDB servers started in-process,
              then prints the verdicts. With no images, scans local/samples/.
            Options:
              --events                 replay every events/*.json sample (uploads an image at each key first)
              --event FILE             replay one sample event
              --engine NAME            rekognition (needs AWS credentials and a region)
              --rekognition-endpoint U send Rekognition calls to U (LocalStack, a test stand-in)
              --policy SOURCE          bundled:default-v7 (default) or file:PATH
              --json FILE              write verdicts as JSON here (default local-output/verdicts.json)
              --help                   this text
            """;

    static RunnerOptions parse(String[] args, Path repo) {
        List<Path> inputs = new ArrayList<>();
        List<Path> events = new ArrayList<>();
        String engine = "rekognition";
        URI endpoint = null;
        String policy = "bundled:default-v7";
        Path json = repo.resolve("local-output/verdicts.json");
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> help = true;
                case "--events" -> events.addAll(listEvents(repo.resolve("events")));
                case "--event" -> events.add(resolve(repo, value(args, ++i, arg)));
                case "--engine" -> engine = value(args, ++i, arg);
                case "--rekognition-endpoint" -> endpoint = URI.create(value(args, ++i, arg));
                case "--policy" -> policy = value(args, ++i, arg);
                case "--json" -> json = resolve(repo, value(args, ++i, arg));
                default -> {
                    if (arg.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
                    }
                    inputs.add(resolve(repo, arg));
                }
            }
        }
        if (!engine.equals("rekognition")) {
            throw new IllegalArgumentException("--engine must be rekognition in this build, was " + engine);
        }
        return new RunnerOptions(List.copyOf(inputs), List.copyOf(events), engine, endpoint, policy, json, help);
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
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot list sample events in " + dir + ": " + e.getMessage());
        }
    }
}
