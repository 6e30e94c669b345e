package io.hactl.lab.pair;

import io.hactl.controller.cli.Main;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The demo behind the README's run command: a firewall pair in network namespaces, keepalived
 * and hactl on both gateways, live TCP flows through the pair, a failover, and the flows going
 * on. Prints each step; removes everything it made, also when interrupted.
 */
public final class FailoverDemo {
    private FailoverDemo() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("hactl-demo");
        step("1. building the lab: client -- fw1/fw2 -- server in network namespaces, a sync link fw1 <-> fw2");
        try (FirewallPair lab = FirewallPair.create();
             HactlNode h1 = new HactlNode(lab.fw1, dir, "fw1");
             HactlNode h2 = new HactlNode(lab.fw2, dir, "fw2");
             Keepalived k1 = new Keepalived(lab.fw1, dir, "fw1");
             Keepalived k2 = new Keepalived(lab.fw2, dir, "fw2")) {
            say("gateways forward with stateful nftables and nf_conntrack_tcp_loose=0: a flow without state dies");
            Path key = dir.resolve("sync.key");
            KeyFile.generate(key);
            say("sync key: " + key + " (fingerprint " + KeyFile.fingerprint(KeyFile.load(key)) + "), the same on both");

            step("2. starting hactl on both gateways, then keepalived (VRRPv3, LAN + WAN sync group); fw1 has priority");
            h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
            h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
            await("the hactl daemons", 30, () -> h1.statusOrNull() != null && h2.statusOrNull() != null);
            k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
            k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
            await("fw1 to become MASTER", 30, () -> k1.holdsVip() && role(h1).equals("MASTER") && role(h2).equals("BACKUP"));
            status(h1);
            status(h2);

            step("3. opening " + n + " live TCP connections client -> server through the pair, each echoing every 50 ms");
            try (LiveFlows flows = LiveFlows.open(lab.server, lab.client, n, 50)) {
                await("the flows to echo", 15, () -> flows.allEchoingWithin(500));
                await("fw2 to hold the flows' state", 15, () -> external(h2) >= n);
                say("fw2's external cache holds " + external(h2) + " flows from fw1");

                step("4. failing fw1: stopping its keepalived (fw2 takes the virtual addresses)");
                flows.forgetStalls(); // the worst stall shown is the failover's
                long t0 = System.nanoTime();
                k1.stop();
                await("fw2 to take over", 15, k2::holdsVip);
                say("virtual addresses on fw2 after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                await("hactl on fw2 to finish MASTER", 15, () -> role(h2).equals("MASTER"));
                await("the flows to echo through fw2", 20, () -> flows.allEchoingWithin(1000));
                LiveFlows.Report r = flows.report(5000);

                step("5. result: " + r);
                status(h2);
                say(r.survived() == r.opened() ? "every connection survived the failover"
                        : "SOME CONNECTIONS DIED: see the logs in " + dir);
                step("6. tearing the lab down");
                if (r.survived() != r.opened()) {
                    System.exit(1);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        say("done: nothing is left behind");
    }

    private static String role(HactlNode h) {
        var s = h.statusOrNull();
        return s == null ? "?" : s.role();
    }

    private static long external(HactlNode h) {
        var s = h.statusOrNull();
        return s == null ? -1 : s.caches().external();
    }

    private static void status(HactlNode h) {
        System.out.println();
        System.out.println("   $ hactl status   (on " + h.socket().getParent().getFileName().toString().replace("-ctl", "") + ")");
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        cl.execute("status", "--socket", h.socket().toString());
        out.toString().lines().forEach(l -> System.out.println("   " + l));
    }

    private static void step(String s) {
        System.out.println();
        System.out.println("== " + s);
    }

    private static void say(String s) {
        System.out.println("   " + s);
    }

    /** Polls every 100 ms, at most {@code seconds}; fails with what it waited for. */
    private static void await(String what, int seconds, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }
}
