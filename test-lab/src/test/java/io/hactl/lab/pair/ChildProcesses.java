package io.hactl.lab.pair;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Processes the lab started (daemons, keepalived and its VRRP child), ended by a shutdown hook if
 * the JVM stops before their owners close them (Ctrl-C during the demo): deleting a namespace does
 * not end the processes in it.
 */
final class ChildProcesses {
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ProcessHandle p : LIVE) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "lab-process-cleanup"));
    }

    private ChildProcesses() {}

    static void started(ProcessHandle p) {
        LIVE.add(p);
    }

    static void started(long pid) {
        ProcessHandle.of(pid).ifPresent(LIVE::add);
    }

    static void ended(ProcessHandle p) {
        LIVE.remove(p);
    }
}
