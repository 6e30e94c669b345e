package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A firewall drops loopback UDP: the rehearsal gives up after waiting for its peer, and the daemon starts anyway. */
@LabTest(tools = "nft")
class WarmupLabTest {
    @Test
    void aBlockedLoopbackEndsTheRehearsalWithinSeconds() throws Exception {
        try (Netns ns = Netns.create("warmup")) {
            ns.nft("table inet hactl_block {\n"
                    + "  chain input {\n"
                    + "    type filter hook input priority 0; policy accept;\n"
                    + "    iifname \"lo\" udp dport 1024-65535 drop\n"
                    + "  }\n"
                    + "}\n");
            Warmup.Result r = ns.call(() -> Warmup.run(2_000, 5, Duration.ofSeconds(60)));
            assertThat(r.rounds()).isZero();
            // ended by the wait for the peer, not by a resync or a bulk each waiting out its own timeout
            assertThat(r.stopped()).contains("do not hear each other on loopback");
        }
    }
}
