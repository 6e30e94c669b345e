package io.hactl.sync.lab;

import com.sun.jna.LastErrorException;
import io.hactl.sync.sys.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh network namespace for a lab test, created with {@code ip netns add} and removed on
 * {@link #close()} — or by a shutdown hook if the test run is interrupted.
 *
 * <p>Java code runs inside it through {@link #call}: the calling thread enters the namespace with
 * setns(2), opens its sockets there (they stay bound to it), and returns to where it was.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (String name : LIVE) {
                try {
                    new ProcessBuilder("ip", "netns", "del", name).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException ignored) {
                    // best effort at exit
                }
            }
        }, "netns-cleanup"));
    }

    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code hactl-<prefix>-<pid>-<n>} with its loopback up. */
    public static Netns create(String prefix) {
        String name = "hactl-" + prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        run(10, "ip", "netns", "add", name);
        LIVE.add(name);
        Netns ns = new Netns(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    /** Something to run inside the namespace. */
    public interface Body<T, E extends Exception> {
        T call() throws E;
    }

    /** Runs {@code body} on this thread inside the namespace, then returns the thread to its own. */
    public <T, E extends Exception> T call(Body<T, E> body) throws E {
        int home = LibC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        int target = LibC.open("/run/netns/" + name, LibC.O_RDONLY | LibC.O_CLOEXEC);
        try {
            LibC.setns(target, LibC.CLONE_NEWNET);
            try {
                return body.call();
            } finally {
                LibC.setns(home, LibC.CLONE_NEWNET);
            }
        } finally {
            closeFd(target);
            closeFd(home);
        }
    }

    /** Runs a command inside the namespace; fails the test with its output if it exits non-zero. */
    public String exec(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(Arrays.asList(command));
        return run(60, argv.toArray(String[]::new));
    }

    /** Loads an nftables ruleset into the namespace. */
    public void nft(String ruleset) {
        Path file = null;
        try {
            file = Files.createTempFile("hactl-nft", ".nft");
            Files.writeString(file, ruleset);
            exec("nft", "-f", file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write nft ruleset: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                file.toFile().delete();
            }
        }
    }

    /** Runs a command inside the namespace and returns exit code and output, whatever the code. */
    public Result execRaw(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(Arrays.asList(command));
        return runRaw(60, argv.toArray(String[]::new));
    }

    /** Exit code, standard output and standard error of a command. */
    public record Result(int exitCode, String output, String errors) {}

    static String run(int timeoutSeconds, String... argv) {
        Result r = runRaw(timeoutSeconds, argv);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": "
                    + r.errors() + r.output());
        }
        return r.output();
    }

    static Result runRaw(int timeoutSeconds, String... argv) {
        Path err = null;
        try {
            err = Files.createTempFile("hactl-cmd", ".err");
            Process p = new ProcessBuilder(argv).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", argv), e);
        } finally {
            if (err != null) {
                err.toFile().delete();
            }
        }
    }

    private static void closeFd(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // already gone
        }
    }

    /**
     * Kills what still runs in the namespace, then deletes it. A test stops its own processes;
     * this catches those it could not see, such as a child keepalived forked in the moment
     * between the test listing its parent's descendants and killing the parent, which then lives
     * on, orphaned, in a namespace nobody can name any more.
     */
    @Override
    public void close() {
        if (LIVE.remove(name)) {
            killRemaining();
            runRaw(10, "ip", "netns", "del", name);
        }
    }

    private void killRemaining() {
        long self = ProcessHandle.current().pid();
        for (String word : runRaw(10, "ip", "netns", "pids", name).output().split("\\s+")) {
            long pid = word.isBlank() ? self : Long.parseLong(word);
            if (pid != self) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
