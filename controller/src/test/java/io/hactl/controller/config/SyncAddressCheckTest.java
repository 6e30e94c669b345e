package io.hactl.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What SyncAddressCheck says without privileges; a sync address absent from a namespace is proven
 * in DaemonProcessLabTest.
 */
class SyncAddressCheckTest {
    static SyncConfig sync(String yaml) throws ConfigException {
        return ConfigLoader.parse("node: { name: fw1 }\n" + yaml, Path.of("/etc/hactl/hactl.yaml")).sync();
    }

    @Test
    void aUnicastLinkOnLoopbackIsUsable() throws Exception {
        assertThat(SyncAddressCheck.problems(sync("sync: { local: 127.0.0.1, peer: 127.0.0.2 }\n"))).isEmpty();
    }

    @Test
    void theProbeLeavesTheSyncPortFreeForTheDaemon() throws Exception {
        try (java.net.DatagramSocket daemon = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            int port = daemon.getLocalPort();
            assertThat(SyncAddressCheck.problems(sync("sync: { local: 127.0.0.1, peer: 127.0.0.2, port: " + port + " }\n")))
                    .as("a running daemon holds the port: config check still passes").isEmpty();
        }
    }

    @Test
    void aMulticastLinkOverAnInterfaceThatDoesNotExistIsNamedByItsKey() throws Exception {
        assertThat(SyncAddressCheck.problems(sync(
                "sync: { transport: multicast, local: 127.0.0.1, group: 239.255.37.80, interface: hactl-none0 }\n")))
                .containsExactly("sync.interface: no interface hactl-none0 on this host");
    }

    @Test
    void eachOfSeveralLinksIsNamedByItsIndex() throws Exception {
        assertThat(SyncAddressCheck.problems(sync("""
                sync:
                  transport: multicast
                  links:
                    - { interface: lo, local: 127.0.0.1, group: 239.255.37.80 }
                    - { interface: hactl-none1, local: 127.0.0.1, group: 239.255.37.81 }
                """))).containsExactly("sync.links[1].interface: no interface hactl-none1 on this host");
    }
}
