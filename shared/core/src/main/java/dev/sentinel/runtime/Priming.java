package dev.sentinel.runtime;

import dev.sentinel.log.StructuredLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Work run once before Lambda SnapStart takes its snapshot, so that a restored container starts with the request
 * path's classes loaded and its clients connected instead of paying for that on its first invocation. Lambda calls
 * it through the CRaC API; on a JVM without CRaC registering is harmless and nothing runs. Priming only reads
 * and never writes: a failure is logged and the snapshot goes ahead, since priming is an optimisation.
 */
public final class Priming implements Resource {

    /** CRaC holds resources weakly; these must live as long as the container. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();

    private final String component;
    private final Runnable work;
    private final StructuredLog log;

    private Priming(String component, Runnable work, StructuredLog log) {
        this.component = component;
        this.work = work;
        this.log = log;
    }

    /** Registers {@code work} to run before the snapshot; returns the registration. */
    public static Priming beforeSnapshot(String component, Runnable work, StructuredLog log) {
        Priming priming = new Priming(component, work, log);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
        return priming;
    }

    /**
     * Runs every registered priming now, as the checkpoint would; for measuring a primed start where there is no
     * CRaC runtime to take a checkpoint (the CRaC API refuses to be asked directly).
     */
    public static void runAll() {
        REGISTERED.forEach(Priming::run);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        run();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to redo: the SDK reconnects by itself when a pooled connection turns out to be stale.
    }

    /** Runs the work now and reports how long it took; never throws. */
    public void run() {
        long started = System.nanoTime();
        try {
            work.run();
            log.info("primed", Map.of("component", component, "ms", (System.nanoTime() - started) / 1_000_000));
        } catch (RuntimeException e) {
            log.warn("priming-failed", Map.of("component", component, "error", e.getClass().getSimpleName()));
        }
    }
}
