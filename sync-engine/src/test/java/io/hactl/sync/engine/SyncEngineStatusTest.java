package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.transport.LinkSpec;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status an engine reports, on an in-memory table (no privileges needed). */
class SyncEngineStatusTest {
    @Test
    void theStatusReadRightAfterAnOperationShowsIt() throws Exception {
        try (SyncEngine e = SyncEngine.start(config(), EngineListener.NONE, new InMemoryKernelAccess(new InMemoryConntrackKernel()))) {
            // the tick takes a snapshot every 10 ms; without one taken after the operation, a read
            // right after its answer sees the state before it, here most of the time
            for (int i = 0; i < 20; i++) {
                e.schedulePurge().join();
                assertThat(e.status().purgeScheduledInMillis()).as("after schedulePurge, round %d", i).isPositive();
                e.cancelPurge().join();
                assertThat(e.status().purgeScheduledInMillis()).as("after cancelPurge, round %d", i).isEqualTo(-1);
            }
        }
    }

    @Test
    void operationsForThePeerSendAtOnceNotAtTheNextTick() throws Exception {
        int[] ports = freePorts();
        // a peer to talk to: nothing reliable leaves before the peer instance answers the handshake
        try (SyncEngine e = SyncEngine.start(config("gw1", "gw2", ports[0], ports[1]), EngineListener.NONE,
                new InMemoryKernelAccess(new InMemoryConntrackKernel()));
             SyncEngine peer = SyncEngine.start(config("gw2", "gw1", ports[1], ports[0]), EngineListener.NONE,
                     new InMemoryKernelAccess(new InMemoryConntrackKernel()))) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> e.status().peerAlive() && peer.status().peerAlive() && e.status().transmitQueue() == 0);
            // the status is taken in the same loop task as the operation, after it: no tick can
            // send the message in between, so a message still queued there waits for the next tick
            for (int i = 0; i < 5; i++) {
                e.requestResync().join();
                assertThat(e.status().transmitQueue()).as("after requestResync, round %d", i).isZero();
                e.announceHandover().join();
                assertThat(e.status().transmitQueue()).as("after announceHandover, round %d", i).isZero();
                e.bulkSend().join();
                assertThat(e.status().transmitQueue()).as("after bulkSend, round %d", i).isZero();
            }
        }
    }

    @Test
    void thePurgeIsDueByTheInjectedClock() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(5_000_000_000L);
        try (SyncEngine e = SyncEngine.start(config(), EngineListener.NONE, new InMemoryKernelAccess(new InMemoryConntrackKernel()),
                Standing.UNKNOWN, clock::get)) {
            e.schedulePurge("test").join();
            assertThat(e.status().purgeScheduledInMillis()).as("no time passes on a stopped clock")
                    .isEqualTo(e.config().purgeTimeout().toMillis());
            clock.addAndGet(e.config().purgeTimeout().toNanos());
            // due now: the next tick decides it (skipped, the role being unknown)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> e.purgeStatus().lastOutcome() != null);
            assertThat(e.purgeStatus().lastOutcome()).startsWith("skipped");
            assertThat(e.status().counters()).containsEntry("purges_skipped", 1L);
        }
    }

    @Test
    void everyCounterIsReportedFromTheStartZeroIncluded() throws Exception {
        try (SyncEngine e = SyncEngine.start(config(), EngineListener.NONE, new InMemoryKernelAccess(new InMemoryConntrackKernel()))) {
            var counters = e.status().counters();
            assertThat(counters).containsKeys(EngineCounters.NAMES.toArray(String[]::new));
            for (io.hactl.sync.wire.DropReason r : io.hactl.sync.wire.DropReason.values()) {
                assertThat(counters).containsKey("drops_" + r.name().toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(counters).containsKeys("messages_lost", "retransmissions", "netlink_malformed");
            assertThat(counters.get("kernel_event_overruns")).isZero();
            assertThat(counters.get("handovers_sent")).isZero();
        }
    }

    @Test
    void everyCounterTheEngineCountsIsInTheRegistry() throws Exception {
        var m = java.util.regex.Pattern.compile("count\\(\"([a-z_]+)\"[,)]");
        java.util.Set<String> counted = new java.util.TreeSet<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/java/io/hactl/sync/engine"))) {
            for (java.nio.file.Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                var found = m.matcher(java.nio.file.Files.readString(p));
                while (found.find()) {
                    assertThat(EngineCounters.NAMES).as("counted in %s", p.getFileName()).contains(found.group(1));
                    counted.add(found.group(1));
                }
            }
        }
        assertThat(counted).as("every registered counter is counted somewhere").containsExactlyInAnyOrderElementsOf(EngineCounters.NAMES);
    }

    private static int[] freePorts() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket s1 = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket s2 = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            return new int[] {s1.getLocalPort(), s2.getLocalPort()};
        }
    }

    private static EngineConfig config(String node, String peer, int port, int peerPort) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        return EngineConfig.defaults(node, peer, List.of(new LinkSpec("lo",
                new InetSocketAddress(lo, port), new InetSocketAddress(lo, peerPort), false)), new byte[32]);
    }

    /** gw1 on loopback, towards a port where nobody listens. */
    private static EngineConfig config() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int port;
        int peerPort;
        try (DatagramSocket s1 = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket s2 = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            port = s1.getLocalPort();
            peerPort = s2.getLocalPort();
        }
        return EngineConfig.defaults("gw1", "gw2", List.of(new LinkSpec("lo",
                new InetSocketAddress(lo, port), new InetSocketAddress(lo, peerPort), false)), new byte[32]);
    }
}
