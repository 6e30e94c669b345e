package io.hactl.lab.pair;

import io.hactl.controller.cli.Main;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The demo behind the README's run command: a firewall pair in network namespaces, hactl on both
 * gateways running its own VRRPv3 (or, with {@code --keepalived}, following keepalived), live TCP
 * flows through the pair, a crash of the master, and the flows going on through the other
 * gateway. Prints each step and the new master's {@code hactl status}; removes everything it
 * made, also when interrupted.
 */
public final class FailoverDemo {
    static final String USAGE = """
            usage: ./demo.sh [--keepalived] [CONNECTIONS]
              (default)     hactl's own VRRPv3 on both gateways, no keepalived process at all
              --keepalived  keepalived runs VRRP and tells hactl through its notify_fifo
              CONNECTIONS   live TCP connections through the pair (default 30)""";
    /** VRRP adverts every 100 ms: a crashed master is noticed in about 0.36 s (3 intervals plus skew). */
    static final String ADVERT = "100ms";

    private FailoverDemo() {}

    public static void main(String[] args) throws Exception {
        boolean keepalived = false;
        int connections = 30;
        for (String a : args) {
            if (a.equals("--keepalived")) {
                keepalived = true;
            } else if (a.matches("[1-9][0-9]{0,4}")) {
                connections = Integer.parseInt(a);
            } else {
                System.err.println(a.equals("--help") || a.equals("-h") ? USAGE : "unknown argument: " + a + "\n" + USAGE);
                System.exit(a.equals("--help") || a.equals("-h") ? 0 : 2);
            }
        }
        int n = connections;
        Path dir = Files.createTempDirectory("hactl-demo");
        step("1. building the lab: client -- fw1/fw2 -- server in network namespaces, a sync link fw1 <-> fw2");
        try (FirewallPair lab = FirewallPair.create();
             HactlNode h1 = new HactlNode(lab.fw1, dir, "fw1");
             HactlNode h2 = new HactlNode(lab.fw2, dir, "fw2");
             Keepalived k1 = new Keepalived(lab.fw1, dir, "fw1").advertInterval("0.1");
             Keepalived k2 = new Keepalived(lab.fw2, dir, "fw2").advertInterval("0.1")) {
            say("gateways forward with stateful nftables and nf_conntrack_tcp_loose=0: a flow without state dies");
            Path key = dir.resolve("sync.key");
            KeyFile.generate(key);
            say("sync key: " + key + " (fingerprint " + KeyFile.fingerprint(KeyFile.load(key)) + "), the same on both");

            if (keepalived) {
                step("2. starting hactl on both gateways, then keepalived (VRRPv3 every 100 ms, LAN + WAN sync group);"
                        + " fw1 has priority");
                h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
                h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
                await("the hactl daemons", 30, () -> h1.statusOrNull() != null && h2.statusOrNull() != null);
                k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
                k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
            } else {
                step("2. starting hactl with its own VRRPv3 (adverts every 100 ms, LAN + WAN instances moving together),"
                        + " no keepalived: fw1 (priority 150) first, then fw2 (100)");
                h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, 150, ADVERT));
                await("fw1's VRRP to become MASTER", 30, () -> vrrpState(h1).equals("MASTER") && h1.holdsLanVip());
                h2.start(h2.confVrrp("10.99.0.2", "10.99.0.1", key, 100, ADVERT));
                await("fw2's VRRP to become BACKUP", 30, () -> vrrpState(h2).equals("BACKUP"));
            }
            await("fw1 to become MASTER", 30, () -> h1.holdsLanVip() && role(h1).equals("MASTER") && role(h2).equals("BACKUP"));
            status(h1);
            status(h2);

            step("3. opening " + n + " live TCP connections client -> server through the pair, each echoing every 50 ms");
            try (LiveFlows flows = LiveFlows.open(lab.server, lab.client, n, 50)) {
                await("the flows to echo", 15, () -> flows.allEchoingWithin(500));
                await("fw2 to hold the flows' state", 15, () -> external(h2) >= n);
                say("fw2's external cache holds " + external(h2) + " flows from fw1");

                step("4. crashing fw1: its links go down, then " + (keepalived ? "its keepalived and hactl are" : "its hactl is")
                        + " killed (SIGKILL); fw2 hears no more adverts and takes the virtual addresses");
                flows.forgetStalls(); // the worst stall shown is the failover's
                long t0 = System.nanoTime();
                // watched from the start of the crash: ending the processes takes a while of its own
                // (each look runs ip in fw2's namespace, so the loop is paced by that)
                var vipAt = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    while (!h2.holdsLanVip() && System.nanoTime() - t0 < 15_000_000_000L) {
                        Thread.onSpinWait();
                    }
                    return System.nanoTime();
                });
                lab.unplug(lab.fw1);
                k1.kill();
                h1.kill();
                await("fw2 to take over", 15, h2::holdsLanVip);
                say("virtual addresses on fw2 " + (vipAt.get() - t0) / 1_000_000 + " ms after the crash");
                await("hactl on fw2 to finish MASTER", 15, () -> role(h2).equals("MASTER"));
                await("the flows to echo through fw2", 20, () -> flows.allEchoingWithin(1000));
                LiveFlows.Report r = flows.report(5000);

                step("5. result: " + r);
                status(h2);
                say(r.survived() == r.opened() ? "every connection survived the crash of the master"
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

    private static String vrrpState(HactlNode h) {
        var s = h.statusOrNull();
        return s == null || s.vrrp() == null ? "?" : s.vrrp().state();
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
