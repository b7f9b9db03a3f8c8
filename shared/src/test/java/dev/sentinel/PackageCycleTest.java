package dev.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of the library modules under {@code shared/} form layers (functions -> scan -> wiring -> api ->
 * report -> cases/queue -> store/config -> safety -> verdict -> policy -> hash/engine/metrics/log ->
 * objects/image/json/aws, with engine.embedded beside scan's engines): a package may use the ones below it, never one
 * above. A cycle is the sign one did; this draws the package graph from the main sources' imports and fully
 * qualified names, across all the modules (a package's module may change, the layers may not), and names the cycle
 * with the files that make each of its edges. The modules themselves cannot use one above them: Maven would not
 * compile it.
 */
class PackageCycleTest {

    /** The library modules, each a directory of this one (shared/) with main sources. */
    private static final Set<String> MODULES = Set.of("core", "engine-embedded", "api", "scan");
    private static final Path MAIN = Path.of("src", "main", "java");
    /** A reference to a type of this project: the package is every lower-case segment before the type's name. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.sentinel(?:\\.[a-z]\\w*)*(?=\\.(?:[A-Z]|\\*))");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** Comments and string or character literals, which name packages without depending on them. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'", Pattern.DOTALL);

    @Test
    void mainSourcesHaveNoPackageCycle() throws IOException {
        List<Path> roots = mainSources();
        assertEquals(MODULES, roots.stream().map(root -> root.getName(0).toString()).collect(Collectors.toSet()),
                "the library modules with main sources under " + Path.of("").toAbsolutePath());
        PackageGraph graph = PackageGraph.of(roots);
        assertFalse(graph.edges.isEmpty(), "no package references found under " + roots);
        graph.cycle().ifPresent(cycle -> fail("package cycle in shared: " + cycle));
    }

    /** Every module directory here with main sources; this module has none of its own. */
    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> modules = Files.list(Path.of(""))) {
            return modules.map(module -> module.resolve(MAIN)).filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void aCycleIsFoundAndNamed() {
        PackageGraph graph = new PackageGraph();
        graph.add("dev.sentinel.scan", "dev.sentinel.store", "ScanService.java");
        graph.add("dev.sentinel.store", "dev.sentinel.verdict", "VerdictStore.java");
        graph.add("dev.sentinel.store", "dev.sentinel.cases", "DynamoCaseStore.java");
        graph.add("dev.sentinel.cases", "dev.sentinel.scan", "ReviewService.java");
        assertEquals(Optional.of("dev.sentinel.cases -> dev.sentinel.scan (ReviewService.java) -> dev.sentinel.store "
                + "(ScanService.java) -> dev.sentinel.cases (DynamoCaseStore.java)"), graph.cycle());
    }

    @Test
    void referencesInCommentsAndTextAreNotDependencies() {
        String source = "package dev.sentinel.a;\nimport dev.sentinel.b.B;\nimport static dev.sentinel.c.C.f;\n"
                + "/** {@link dev.sentinel.d.D} */ class A { String s = \"dev.sentinel.e.E\"; // dev.sentinel.f.F\n"
                + "dev.sentinel.g.sub.G g; }";
        assertEquals(List.of("dev.sentinel.b", "dev.sentinel.c", "dev.sentinel.g.sub"), references(source));
    }

    private static List<String> references(String source) {
        Matcher code = REFERENCE.matcher(NOT_CODE.matcher(source).replaceAll(" "));
        List<String> packages = new ArrayList<>();
        while (code.find()) {
            packages.add(code.group());
        }
        return packages;
    }

    /** Package to package, each edge with the files that make it. */
    private static final class PackageGraph {

        final Map<String, Map<String, TreeSet<String>>> edges = new TreeMap<>();

        static PackageGraph of(List<Path> roots) throws IOException {
            PackageGraph graph = new PackageGraph();
            List<Path> sources = new ArrayList<>();
            for (Path root : roots) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.filter(file -> file.toString().endsWith(".java")).forEach(sources::add);
                }
            }
            for (Path file : sources) {
                String source = Files.readString(file);
                Matcher declared = PACKAGE.matcher(source);
                if (!declared.find()) {
                    continue;
                }
                for (String used : references(source)) {
                    if (!used.equals(declared.group(1))) {
                        graph.add(declared.group(1), used, file.getFileName().toString());
                    }
                }
            }
            return graph;
        }

        void add(String from, String to, String file) {
            edges.computeIfAbsent(from, k -> new TreeMap<>()).computeIfAbsent(to, k -> new TreeSet<>()).add(file);
            edges.computeIfAbsent(to, k -> new TreeMap<>());
        }

        /** The shortest cycle through the first package (in name order) that lies on one, spelled out. */
        Optional<String> cycle() {
            for (String start : edges.keySet()) {
                Optional<List<String>> path = shortestPath(start);
                if (path.isPresent()) {
                    return Optional.of(describe(path.get()));
                }
            }
            return Optional.empty();
        }

        /** Breadth first from {@code start} back to it. */
        private Optional<List<String>> shortestPath(String start) {
            Map<String, String> cameFrom = new HashMap<>();
            Deque<String> queue = new ArrayDeque<>(List.of(start));
            while (!queue.isEmpty()) {
                String at = queue.removeFirst();
                for (String next : edges.get(at).keySet()) {
                    if (next.equals(start)) {
                        List<String> path = new ArrayList<>(List.of(start));
                        for (String step = at; !step.equals(start); step = cameFrom.get(step)) {
                            path.add(1, step);
                        }
                        path.add(start);
                        return Optional.of(path);
                    }
                    if (!cameFrom.containsKey(next)) {
                        cameFrom.put(next, at);
                        queue.addLast(next);
                    }
                }
            }
            return Optional.empty();
        }

        private String describe(List<String> path) {
            StringBuilder text = new StringBuilder(path.get(0));
            for (int i = 1; i < path.size(); i++) {
                text.append(" -> ").append(path.get(i)).append(" (")
                        .append(String.join(", ", edges.get(path.get(i - 1)).get(path.get(i)))).append(")");
            }
            return text.toString();
        }
    }
}
