package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rehearsal at start, as root: on the kernel's conntrack in namespaces of its own; and its fallback. */
@LabTest(tools = {"nft", "conntrack"})
class WarmupLabTest {
    static final String BLOCK_LOOPBACK_UDP = "table inet hactl_block {\n"
            + "  chain input {\n"
            + "    type filter hook input priority 0; policy accept;\n"
            + "    iifname \"lo\" udp dport 1024-65535 drop\n"
            + "  }\n"
            + "}\n";

    @Test
    void asRootItRehearsesOnTheKernelsConntrackInPrivateNamespacesLeavingTheHostsAlone() throws Exception {
        try (Netns ns = Netns.create("warmup")) {
            ns.exec("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.7", "-d", "192.0.2.8", "--sport", "1000", "--dport",
                    "22", "--state", "ESTABLISHED", "-t", "600", "-u", "SEEN_REPLY,ASSURED");
            ns.nft(BLOCK_LOOPBACK_UDP); // the host's firewall is not the rehearsal's
            Warmup.Result r = ns.call(() -> Warmup.run(2_000, 2, Duration.ofSeconds(60)));
            assertThat(r.tables()).isEqualTo(Warmup.Tables.KERNEL_PRIVATE_NETNS);
            assertThat(r.stopped()).isEqualTo("done");
            assertThat(r.rounds()).isEqualTo(2);
            // the kernel's events of the loads and flushes reached engine a
            assertThat(r.kernelEvents()).isGreaterThanOrEqualTo(2 * 2_000);
            // the host namespace's table holds what it held, nothing of the rehearsal's
            assertThat(ns.exec("conntrack", "-L").strip().lines()).hasSize(1).allMatch(l -> l.contains("192.0.2.7"));
            // and the rehearsal's threads (which held its namespaces) are gone
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().contains("rehearsal"));
        }
    }

    @Test
    void aBlockedLoopbackEndsTheInMemoryRehearsalWithinSeconds() throws Exception {
        try (Netns ns = Netns.create("warmup")) {
            ns.nft(BLOCK_LOOPBACK_UDP);
            Warmup.Result r = ns.call(() -> Warmup.run(2_000, 5, Duration.ofSeconds(60), Warmup.Tables.IN_MEMORY));
            assertThat(r.rounds()).isZero();
            // ended by the wait for the peer, not by a resync or a bulk each waiting out its own timeout
            assertThat(r.stopped()).contains("do not hear each other on loopback");
        }
    }
}
