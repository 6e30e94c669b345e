package io.hactl.lab.pair;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The class path and class-data archive of the daemons the lab and the benches start, kept the way
 * the package's launcher keeps its own (packaging/src/deb/hactl.launcher): the first daemon this
 * JVM starts writes the list of the classes it loads; once that daemon has ended, the next start
 * has the archive dumped from the list in the background; the starts after the dump map it. A
 * daemon so starts as the installed package's does from its third start on, and the lab's many
 * daemons do not each load and verify their classes from the jars again (about 0.9 s of CPU per
 * start on this machine).
 *
 * <p>An archive needs a class path of jars only: the daemon gets the jars of this JVM's class
 * path, not the test classes (it needs none of them). When the hactl classes are directories (a
 * build that stopped before {@code package}), daemons get the whole class path and no archive.
 * A dump that fails is said once on stderr with its output, and the daemons run without an
 * archive, as the launcher's do.
 */
public final class DaemonClassData {
    private static final String MAIN = "io.hactl.controller.cli.Main";

    private static final String CLASS_PATH = jarsOnly(System.getProperty("java.class.path"));
    private static Path dir;
    private static boolean listed; // a daemon was given the class list to write
    private static Process listing; // that daemon, once started
    private static Thread dumping;
    private static boolean failed;

    private DaemonClassData() {}

    /** The class path a lab daemon runs with. */
    public static String classPath() {
        return CLASS_PATH != null ? CLASS_PATH : System.getProperty("java.class.path");
    }

    /**
     * The JVM options for the next daemon's class data: the archive when it is there, else the
     * class list for the first daemon, else none. {@link #started} must follow with the daemon.
     */
    public static synchronized List<String> options(List<String> jvmOptions) {
        if (CLASS_PATH == null || failed) {
            return List.of();
        }
        Path jsa = dir().resolve("daemon.jsa");
        if (Files.exists(jsa)) {
            return List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto", "-Xlog:cds*=off");
        }
        if (!listed) {
            listed = true;
            return List.of("-XX:DumpLoadedClassList=" + dir().resolve("daemon.classlist"));
        }
        startDumpOnceListed(jvmOptions);
        return List.of();
    }

    /** Starts the dump in the background once the daemon that listed the classes has ended (once). */
    private static synchronized void startDumpOnceListed(List<String> jvmOptions) {
        if (dumping == null && listing != null && !listing.isAlive()) {
            Path list = dir().resolve("daemon.classlist");
            Path jsa = dir().resolve("daemon.jsa");
            dumping = new Thread(() -> dump(jvmOptions, list, jsa), "lab-class-data-dump");
            dumping.setDaemon(true);
            dumping.start();
        }
    }

    /**
     * Waits until the archive is dumped, starting the dump if the daemon that listed the classes
     * has ended and no dump has started; true when the next daemons will map it. For benchmarks,
     * whose daemons should start as the package's do once it has run before: with the archive.
     */
    public static boolean awaitArchive(List<String> jvmOptions) throws InterruptedException {
        Thread t;
        synchronized (DaemonClassData.class) {
            if (CLASS_PATH == null || failed) {
                return false;
            }
            if (Files.exists(dir().resolve("daemon.jsa"))) {
                return true;
            }
            startDumpOnceListed(jvmOptions);
            t = dumping;
        }
        if (t == null) {
            return false; // no daemon has listed the classes yet, or it still runs
        }
        t.join(TimeUnit.SECONDS.toMillis(150));
        synchronized (DaemonClassData.class) {
            return !failed && Files.exists(dir().resolve("daemon.jsa"));
        }
    }

    /** The daemon started with {@link #options}' answer. */
    public static synchronized void started(List<String> classDataOptions, Process daemon) {
        if (classDataOptions.stream().anyMatch(o -> o.startsWith("-XX:DumpLoadedClassList="))) {
            listing = daemon;
        }
    }

    private static void dump(List<String> jvmOptions, Path list, Path jsa) {
        Path partial = jsa.resolveSibling("daemon.jsa.partial");
        List<String> argv = new ArrayList<>(List.of("nice", "-n", "10",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + partial,
                "-Xlog:cds*=off", "-cp", CLASS_PATH));
        boolean ok = false;
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(dir().resolve("dump.log").toFile()).start();
            ChildProcesses.started(p.toHandle());
            try {
                ok = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
            } finally {
                p.destroyForcibly();
                ChildProcesses.ended(p.toHandle());
            }
            if (ok) {
                Files.move(partial, jsa, StandardCopyOption.ATOMIC_MOVE);
                System.out.println("lab: the daemons' class-data archive is dumped (" + jsa + "), the next starts map it");
            }
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!ok) {
            synchronized (DaemonClassData.class) {
                failed = true;
            }
            String log;
            try {
                log = Files.readString(dir().resolve("dump.log"));
            } catch (IOException e) {
                log = "(no log: " + e.getMessage() + ")";
            }
            System.err.println("LAB: the daemons' class-data archive could not be dumped, daemons start without one;"
                    + " the dump said:\n" + log);
        }
    }

    private static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("hactl-lab-cds.");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(d)) {
                    files.forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // best effort
                }
                d.toFile().delete();
            }, "lab-class-data-cleanup"));
        }
        return dir;
    }

    /**
     * The jars of {@code classPath}, in order, or null when the daemon's own classes are not in
     * one of them (they are then a directory, which an archive cannot hold).
     */
    static String jarsOnly(String classPath) {
        List<String> jars = new ArrayList<>();
        boolean hasMain = false;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                jars.add(entry);
            } else if (Files.exists(p.resolve(MAIN.replace('.', '/') + ".class"))) {
                return null;
            }
        }
        for (int k = 0; k < jars.size() && !hasMain; k++) {
            try (var zip = new java.util.zip.ZipFile(jars.get(k))) {
                hasMain = zip.getEntry(MAIN.replace('.', '/') + ".class") != null;
            } catch (IOException e) {
                return null;
            }
        }
        return hasMain ? String.join(File.pathSeparator, jars) : null;
    }
}
