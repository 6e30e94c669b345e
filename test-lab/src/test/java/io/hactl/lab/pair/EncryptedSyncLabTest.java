package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.config.ConfigLoader;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hactl daemons with {@code sync.encryption} replicate kernel flows, and what crosses the sync
 * link does not show them: a packet socket on fw2 reads every sync datagram and looks for the
 * flows' server address (10.60.0.10) in it. The same capture on an unencrypted pair finds the
 * address, so the capture would see it; gateways configured differently drop each other's
 * datagrams as ENCRYPTION_MISMATCH.
 */
@LabTest(tools = {"nft", "conntrack"})
class EncryptedSyncLabTest {
    static final int FLOWS = 50;
    /** FirewallPair.SERVER, as it sits in a flow's tuple. */
    static final byte[] SERVER_BYTES = {10, 60, 0, 10};
    @TempDir
    Path dir;
    FirewallPair lab;
    Path key;
    HactlNode h1;
    HactlNode h2;
    SyncCapture capture;

    @BeforeEach
    void setUp() throws Exception {
        lab = FirewallPair.create();
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {capture, h1, h2}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        lab.close();
    }

    void start(String enc1, String enc2) throws Exception {
        capture = SyncCapture.start(lab.fw2, ConfigLoader.DEFAULT_PORT, SERVER_BYTES);
        h1.start(h1.conf("10.99.0.1", "10.99.0.2", key, "encryption: " + enc1));
        h2.start(h2.conf("10.99.0.2", "10.99.0.1", key, "encryption: " + enc2));
        await().atMost(Duration.ofSeconds(60)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null);
    }

    /** UDP flows client -> server in fw1's kernel table, as if fw1 forwarded them. */
    void flowsOnFw1() {
        lab.fw1.exec("sh", "-c", "for i in $(seq 1 " + FLOWS + "); do conntrack -I -p udp -s " + FirewallPair.CLIENT
                + " -d " + FirewallPair.SERVER + " --sport $((20000 + i)) --dport 53 -t 300 -u SEEN_REPLY,ASSURED"
                + " >/dev/null 2>&1 || exit 1; done");
    }

    long external(HactlNode h) throws Exception {
        return h.status().caches().external();
    }

    @Test
    void aes256GcmPairReplicatesFlowsAndTheSyncLinkNeverCarriesTheirAddresses() throws Exception {
        start("aes-256-gcm", "aes-256-gcm");
        flowsOnFw1();
        await().atMost(Duration.ofSeconds(60)).until(() -> external(h2) >= FLOWS);
        assertThat(h2.status().sync().encryption()).isEqualTo("aes-256-gcm");
        capture.close();
        System.out.println("aes-256-gcm pair: " + capture);
        assertThat(capture.datagrams.get()).as("%s", capture).isGreaterThan(0);
        assertThat(capture.byFlags[1].get()).as("every datagram says AES-256-GCM: %s", capture)
                .isEqualTo(capture.datagrams.get());
        assertThat(capture.withPattern.get()).as("no datagram shows the server address: %s", capture).isZero();
        assertThat(h2.status().drops().getOrDefault("bad_mac", 0L)).isZero();
    }

    @Test
    void anUnencryptedPairShowsTheAddressesToTheSameCapture() throws Exception {
        start("none", "none");
        flowsOnFw1();
        await().atMost(Duration.ofSeconds(60)).until(() -> external(h2) >= FLOWS);
        capture.close();
        System.out.println("unencrypted pair: " + capture);
        assertThat(capture.withPattern.get()).as("%s", capture).isGreaterThan(0);
    }

    @Test
    void gatewaysConfiguredDifferentlyDropEachOthersDatagramsAsAMismatch() throws Exception {
        start("aes-256-gcm", "chacha20-poly1305");
        flowsOnFw1();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                h2.status().drops().getOrDefault("encryption_mismatch", 0L) > 0
                        && h1.status().drops().getOrDefault("encryption_mismatch", 0L) > 0);
        assertThat(external(h2)).isZero();
        assertThat(h2.status().drops().getOrDefault("bad_mac", 0L)).isZero();
        assertThat(h2.log()).contains("protected with aes-256-gcm, this gateway is configured with sync.encryption"
                + " chacha20-poly1305");
    }
}
