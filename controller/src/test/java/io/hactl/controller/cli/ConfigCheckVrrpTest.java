package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hactl config check} with role.source: vrrp prints what the VRRP group will run. */
class ConfigCheckVrrpTest {
    @TempDir
    Path dir;

    @Test
    void configCheckPrintsTheVrrpGroupAndEachInstance() throws Exception {
        Path key = dir.resolve("sync.key");
        HactlCommandTest.run("keygen", key.toString());
        Path cfg = dir.resolve("vrrp.yaml");
        Files.writeString(cfg, """
                node: { name: fw1 }
                sync: { local: 127.0.0.1, peer: 10.99.0.2, key-file: %s }
                role:
                  source: vrrp
                  vrrp:
                    advert-interval: 100ms
                    instances:
                      - { name: LAN, interface: lan, vrid: 61, priority: 200, addresses: [10.10.0.1/24] }
                      - { name: WAN, interface: wan, vrid: 62, addresses: 10.20.0.1/24, unicast-peers: 10.20.0.3 }
                """.formatted(key));

        HactlCommandTest.Run r = HactlCommandTest.run("config", "check", "--config", cfg.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("role: vrrp, advert-interval 100 ms, preempt, checksum rfc, garp 3 x 100 ms,"
                + " commit-budget 2000 ms")
                .contains("  LAN: lan vrid 61 priority 200 [10.10.0.1/24] multicast")
                .contains("  WAN: wan vrid 62 priority 100 [10.20.0.1/24] unicast to [10.20.0.3]");
    }
}
