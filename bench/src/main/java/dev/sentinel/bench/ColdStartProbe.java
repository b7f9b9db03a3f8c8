package dev.sentinel.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs in a fresh JVM as Lambda's runtime would: loads a handler class, builds it (its static container: SDK
 * clients, policy, model), invokes it with the first event, then with the rest. Prints one JSON line of timings and
 * memory, measured from the JVM's own start. Uses nothing but the JDK and the handler's jar, so it adds no classes
 * of its own to what is measured.
 *
 * <p>Arguments: handler class, then event files (the first is the cold invocation).
 */
public final class ColdStartProbe {

    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainAt = System.currentTimeMillis();
        long t0 = System.nanoTime();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
        long t1 = System.nanoTime();
        double primeMs = 0;
        if (Boolean.getBoolean("probe.prime")) {
            primeMs = primeAsBeforeSnapshot();
            t1 = System.nanoTime();
        }
        String firstResponse = invoke(handler, Path.of(args[1]));
        long t2 = System.nanoTime();
        long firstDone = System.currentTimeMillis();
        double cpuMsAtFirstResult = processCpuMs();
        long classesAtFirstResult = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        double[] warm = new double[args.length - 2];
        for (int i = 2; i < args.length; i++) {
            long start = System.nanoTime();
            invoke(handler, Path.of(args[i]));
            warm[i - 2] = (System.nanoTime() - start) / 1e6;
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        java.util.Arrays.sort(warm);
        System.out.printf(Locale.ROOT, "{\"jvmToMainMs\":%d,\"initMs\":%.1f,\"primeMs\":%.1f,\"firstInvokeMs\":%.1f,"
                        + "\"jvmStartToFirstResultMs\":%d,\"warmMedianMs\":%.2f,\"peakHeapMb\":%.1f,"
                        + "\"rssPeakMb\":%.1f,\"classesAtFirstResult\":%d,\"cpuMsAtFirstResult\":%.0f,"
                        + "\"firstResponse\":\"%s\"}%n",
                mainAt - jvmStart, (t1 - t0) / 1e6 - primeMs, primeMs, (t2 - t1) / 1e6, firstDone - jvmStart,
                warm.length == 0 ? 0.0 : warm[warm.length / 2], peakHeap / 1048576.0, peakRssMb(),
                classesAtFirstResult, cpuMsAtFirstResult, firstResponse.replaceAll("[\"\\\\\\p{Cntrl}]", "'"));
        System.out.flush();
        // SDK and server threads would keep the JVM alive; the measurement is done.
        System.exit(0);
    }

    /**
     * What Lambda SnapStart does before it takes the snapshot: runs the function's registered priming (through the
     * CRaC API on Lambda; called directly here, where no CRaC runtime exists). Nothing to run for the trivial handler.
     */
    private static double primeAsBeforeSnapshot() throws ReflectiveOperationException {
        long start = System.nanoTime();
        try {
            Class.forName("dev.sentinel.runtime.Priming").getMethod("runAll").invoke(null);
        } catch (ClassNotFoundException e) {
            return 0;
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static String invoke(RequestStreamHandler handler, Path event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Files.readAllBytes(event)), out, null);
        String response = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        return response.length() > 160 ? response.substring(0, 160) : response;
    }

    /**
     * CPU time the whole process has used (every thread: the JIT compilers' and the collector's too), from
     * /proc/self/stat in clock ticks of 10 ms; -1 where /proc is not there. Less sensitive than wall time to
     * other work on the machine, and what a Lambda function's fraction of a vCPU has to supply.
     */
    private static double processCpuMs() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The process's peak resident set (VmHWM), or -1 where /proc is not there. */
    private static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
