package io.hactl.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.engine.EngineConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final Path FILE = Path.of("/etc/hactl/hactl.yaml");

    static HactlConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE);
    }

    static ConfigException errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected errors for:\n" + yaml);
    }

    @Test
    void theIssueExampleLoadsWithItsValues() throws Exception {
        HactlConfig c = parse("""
                node: { name: fw1 }
                sync:
                  mode: ftfw                 # ftfw | notrack
                  transport: udp
                  local: 10.99.0.1
                  peer: 10.99.0.2
                  port: 3780
                  interface: sync
                  key-file: /etc/hactl/sync.key
                  direct-inject: false
                  purge-timeout: 60s
                  filter: { protocols: [tcp, udp, icmp], ignore-addresses: [10.99.0.0/24, 127.0.0.0/8] }
                role:
                  source: keepalived
                  keepalived: { notify-fifo: /run/hactl/keepalived.fifo, track-file: /run/hactl/demote }
                control: { socket: /run/hactl/hactl.sock }
                metrics: { listen: 127.0.0.1:9612 }
                """);
        assertThat(c.node()).isEqualTo("fw1");
        assertThat(c.sync().reliable()).isTrue();
        assertThat(c.sync().links()).singleElement().satisfies(l -> {
            assertThat(l.interfaceName()).isEqualTo("sync");
            assertThat(l.local().getAddress()).isEqualTo(InetAddress.getByName("10.99.0.1"));
            assertThat(l.remote().getPort()).isEqualTo(3780);
        });
        assertThat(c.sync().purgeTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.sync().filter().protocols()).containsExactlyInAnyOrder(Tuple.TCP, Tuple.UDP, Tuple.ICMP);
        assertThat(c.sync().filter().ignore()).hasSize(2);
        assertThat(c.role().notifyFifo()).isEqualTo(Path.of("/run/hactl/keepalived.fifo"));
        assertThat(c.metricsListen().getPort()).isEqualTo(9612);
        assertThat(c.sync().toEngine(c.node(), new byte[32]).maxDatagram()).isEqualTo(1472);
    }

    @Test
    void redundantMulticastLinksAndTunables() throws Exception {
        HactlConfig c = parse("""
                node: { name: fw2 }
                sync:
                  mode: notrack
                  transport: multicast
                  links:
                    - { interface: sync0, local: 10.99.0.2, group: 225.0.0.50 }
                    - { interface: sync1, local: "fd99::2", group: "ff02::1:3", port: 3781 }
                  heartbeat: 100ms
                  dead-after: 1s
                  commit-timeout: 180s
                  socket-buffer: 8MiB
                  filter: { tcp-states: [ESTABLISHED, syn_recv] }
                """);
        assertThat(c.sync().reliable()).isFalse();
        assertThat(c.sync().links()).hasSize(2);
        assertThat(c.sync().links().get(1).multicast()).isTrue();
        assertThat(c.sync().links().get(1).remote().getPort()).isEqualTo(3781);
        assertThat(c.sync().heartbeat()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.sync().commitTimeout()).isEqualTo(Duration.ofSeconds(180));
        assertThat(c.sync().socketBuffer()).isEqualTo(8 << 20);
        assertThat(c.sync().filter().tcpStates()).containsExactlyInAnyOrder(TcpInfo.ESTABLISHED, TcpInfo.SYN_RECV);
        assertThat(c.role().source()).isEqualTo("keepalived");
        assertThat(c.controlSocket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
    }

    @Test
    void allErrorsAreReportedTogetherWithTheirKeyAndLine() {
        ConfigException e = errors("""
                node: { name: fw1 }
                sync:
                  mode: fast
                  local: 10.99.0.1
                  peer: gateway2.example
                  port: 70000
                  purge-timeout: soon
                  heartbeat: 500ms
                  dead-after: 600ms
                  filter:
                    protocols: [tcp, quic]
                    ignore-addresses: [10.99.0.1/24]
                  direct-injekt: true
                metrics: { listen: 127.0.0.1 }
                """);
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                "line 13, column 3: sync.direct-injekt: unknown key (known: ack-window, cache-limit, commit-timeout, dead-after, "
                        + "direct-inject, encryption, event-buffer, event-buffer-max, filter, group, heartbeat, interface, key-file, "
                        + "links, local, mode, mtu, owner-mark, owner-mark-mask, peer, port, purge-timeout, resend-queue, "
                        + "socket-buffer, startup-resync, "
                        + "tcp-window-tracking, transport)",
                "line 3, column 9: sync.mode: 'fast' is not one of ftfw, notrack",
                "line 5, column 9: sync.peer: 'gateway2.example' is not an IP address",
                "line 6, column 9: sync.port: 70000 is outside 1..65535",
                "line 9, column 15: sync.dead-after: 600 ms must be at least twice the heartbeat (500 ms)",
                "line 7, column 18: sync.purge-timeout: 'soon' is not a duration such as 200ms, 60s, 5m or 1h",
                "line 11, column 22: sync.filter.protocols[1]: 'quic' is not a protocol name (dccp, gre, icmp, icmpv6, sctp, tcp, udp, udplite) or number",
                "line 12, column 24: sync.filter.ignore-addresses[0]: 10.99.0.1/24 has host bits set",
                "line 14, column 20: metrics.listen: '127.0.0.1' is not ADDRESS:PORT");
        assertThat(e.getMessage()).startsWith("/etc/hactl/hactl.yaml: 9 errors");
    }

    @Test
    void missingPiecesAndMismatchesAreNamed() {
        assertThat(errors("node: { name: fw1 }\n").errors()).extracting(ConfigError::path).contains("sync");
        assertThat(errors("""
                node: { name: fw1 }
                sync: { local: 10.99.0.1, peer: "fd99::2" }
                """).errors()).extracting(ConfigError::message).contains("mixes IPv4 and IPv6 with local 10.99.0.1");
        assertThat(errors("""
                node: { name: fw1 }
                sync: { transport: multicast, local: 10.99.0.1, group: 10.0.0.1, interface: s }
                """).errors()).extracting(ConfigError::message).contains("10.0.0.1 is not a multicast group");
        assertThat(errors("""
                node: { name: fw1 }
                sync: { local: 10.99.0.1, peer: 10.99.0.2, links: [ { local: 10.99.0.1, peer: 10.99.0.2 } ] }
                """).errors()).extracting(ConfigError::message).contains("give it per link under sync.links, not both");
        assertThat(errors("node: [1, 2]\nsync: {}\n").errors()).isNotEmpty();
        assertThat(errors("node: { name: fw1 }\nnode: { name: fw2 }\n").getMessage()).contains("appears twice");
        assertThat(errors(": : :\n  - bad").errors()).singleElement().satisfies(x -> assertThat(x.path()).isEqualTo("(yaml)"));
    }

    @Test
    void encryptionIsOffByDefaultNamesTheTwoCiphersAndRefusesOthersWithItsLine() throws Exception {
        String base = "node: { name: fw1 }\nsync:\n  local: 10.99.0.1\n  peer: 10.99.0.2\n";
        assertThat(parse(base).sync().encryption()).isEqualTo(io.hactl.sync.wire.Encryption.NONE);
        assertThat(parse(base + "  encryption: none\n").sync().encryption()).isEqualTo(io.hactl.sync.wire.Encryption.NONE);
        assertThat(parse(base + "  encryption: aes-256-gcm\n").sync().toEngine("fw1", new byte[32]).encryption())
                .isEqualTo(io.hactl.sync.wire.Encryption.AES_256_GCM);
        assertThat(parse(base + "  encryption: chacha20-poly1305\n").sync().encryption())
                .isEqualTo(io.hactl.sync.wire.Encryption.CHACHA20_POLY1305);
        assertThat(errors(base + "  encryption: aes-128-cbc\n").errors()).extracting(ConfigError::toString)
                .containsExactly("line 5, column 15: sync.encryption: 'aes-128-cbc' is not one of aes-256-gcm, chacha20-poly1305, none");
    }

    @Test
    void theOwnerMarkHasOneDefaultTakesHexAndNamesItsErrors() throws Exception {
        String base = "node: { name: fw1 }\nsync:\n  local: 10.99.0.1\n  peer: 10.99.0.2\n";
        assertThat(parse(base).sync().ownerMark()).isEqualTo(io.hactl.sync.engine.OwnerMark.DEFAULT);
        assertThat(parse(base + "  owner-mark: 0x100\n").sync().ownerMark())
                .isEqualTo(new io.hactl.sync.engine.OwnerMark(0x100, 0x100));
        assertThat(parse(base + "  owner-mark: 0x2000\n  owner-mark-mask: 0x3000\n").sync().ownerMark())
                .isEqualTo(new io.hactl.sync.engine.OwnerMark(0x2000, 0x3000));
        assertThat(errors(base + "  owner-mark: 0x1000\n  owner-mark-mask: 0x3\n").errors()).extracting(ConfigError::toString)
                .containsExactly("line 5, column 15: sync.owner-mark: owner mark 0x1000 has bits outside its mask 0x3");
        assertThat(errors(base + "  owner-mark: 0\n").errors()).extracting(ConfigError::toString)
                .containsExactly("line 5, column 15: sync.owner-mark: owner mark 0 cannot tell written flows from others");
        assertThat(errors(base + "  owner-mark: bit30\n").errors()).extracting(ConfigError::toString)
                .containsExactly("line 5, column 15: sync.owner-mark: 'bit30' is not a mark (0x40000000 or a decimal number)");
        assertThat(errors(base + "  owner-mark-mask: 0x100000000\n").errors()).extracting(ConfigError::toString)
                .containsExactly("line 5, column 20: sync.owner-mark-mask: 0x100000000 is not a 32-bit mark");
    }

    @Test
    void addressesAreLiteralsNeverShorthandOrNames() {
        // "cafe.be" is made of hex digits and dots: it was looked up in DNS; "10.1" was read as 10.0.0.1
        assertThat(errors("""
                node: { name: fw1 }
                sync: { local: 10.1, peer: cafe.be, filter: { ignore-addresses: [1.2.3.300/32] } }
                metrics: { listen: "1e.2:9612" }
                """).errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                "line 2, column 16: sync.local: '10.1' is not an IP address",
                "line 2, column 28: sync.peer: 'cafe.be' is not an IP address",
                "line 2, column 66: sync.filter.ignore-addresses[0]: '1.2.3.300/32' is not an address or CIDR",
                "line 3, column 20: metrics.listen: '1e.2' is not an IP address");
    }

    @Test
    void aMulticastLinkWithoutItsInterfaceIsAnErrorNamingTheKey() {
        assertThat(errors("""
                node: { name: fw1 }
                sync:
                  transport: multicast
                  links:
                    - { interface: sync0, local: 10.99.0.1, group: 225.0.0.50 }
                    - { local: 10.98.0.1, group: 225.0.0.51 }
                """).errors()).extracting(ConfigError::toString)
                .containsExactly("line 6, column 7: sync.links[1].interface: is required");
    }

    @Test
    void anEmptyKeyIsNamedQuoted() {
        assertThat(errors("""
                node: { name: fw1, "": x }
                "": y
                sync: { local: 10.99.0.1, peer: 10.99.0.2 }
                """).errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                "line 1, column 20: node.\"\": unknown key (known: name)",
                "line 2, column 1: \"\": unknown key (known: control, metrics, node, role, sync)");
    }

    @Test
    void keysLeftOutTakeTheEnginesDefaults() throws Exception {
        HactlConfig c = parse("node: { name: fw1 }\nsync: { local: 10.99.0.1, peer: 10.99.0.2 }\n");
        byte[] key = new byte[32];
        // the filter is built from the (empty) lists; every other setting must be the engine's own default
        assertThat(c.sync().toEngine(c.node(), key)).usingRecursiveComparison().ignoringFields("filter")
                .isEqualTo(EngineConfig.defaults("fw1", "10.99.0.2", c.sync().links(), key));
        assertThat(c.sync().links().get(0).local().getPort()).isEqualTo(ConfigLoader.DEFAULT_PORT);
        assertThat(c.sync().keyFile()).isEqualTo(Path.of("/etc/hactl/sync.key"));
        assertThat(c.role().source()).isEqualTo("keepalived");
        assertThat(c.metricsListen()).isNull();
    }

    @Test
    void theEventBufferMaximumIsNeverBelowAGivenStart() throws Exception {
        String base = "node: { name: fw1 }\nsync:\n  local: 10.99.0.1\n  peer: 10.99.0.2\n";
        assertThat(parse(base + "  event-buffer: 1G\n").sync().eventBufferMax()).isEqualTo(1 << 30);
        assertThat(errors(base + "  event-buffer: 1G\n  event-buffer-max: 512M\n").errors()).extracting(ConfigError::toString)
                .containsExactly("line 6, column 21: sync.event-buffer-max: is below sync.event-buffer");
    }

    @Test
    void thePackagedExampleConfigurationLoads() throws Exception {
        // the conffile the Debian package installs as /etc/hactl/hactl.yaml (tests run in controller/)
        HactlConfig c = ConfigLoader.load(Path.of("../packaging/src/deb/hactl.yaml"));
        assertThat(c.node()).isEqualTo("CHANGE-ME");
        assertThat(c.sync().links()).singleElement().satisfies(l -> {
            assertThat(l.local().getAddress()).isEqualTo(InetAddress.getByName("192.0.2.1"));
            assertThat(l.remote().getAddress()).isEqualTo(InetAddress.getByName("192.0.2.2"));
        });
        assertThat(c.sync().filter().ignore()).hasSize(2);
        assertThat(c.role().syncGroup()).isEqualTo("G1");
        assertThat(c.controlSocket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
    }

    @Test
    void unknownKeysAreNamedWhereTheyStandAtAnyDepthBeforeOrAfterTheRequiredOnes() {
        // binding meets unknown keys of a record only after it has built the record, without their place
        assertThat(errors("""
                foo: 1
                node: { name: fw1, x: { y: 1 } }
                sync:
                  local: 10.99.0.1
                  peer: 10.99.0.2
                  filter: { z: 1 }
                role: { keepalived: { a: 1 } }
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 1, column 1: foo: unknown key (known: control, metrics, node, role, sync)",
                "line 2, column 20: node.x: unknown key (known: name)",
                "line 6, column 13: sync.filter.z: unknown key (known: ignore-addresses, protocols, tcp-states)",
                "line 7, column 23: role.keepalived.a: unknown key (known: notify-fifo, sync-group, track-file)");
    }

    @Test
    void aKeyGivenTwiceInOneMappingIsAnErrorAtItsSecondPlace() {
        assertThat(errors("""
                node: { name: fw1 }
                sync: { local: 10.99.0.1, peer: 10.99.0.2, peer: 10.99.0.3 }
                """).errors()).extracting(ConfigError::toString)
                .containsExactly("line 2, column 44: sync.peer: appears twice (first at line 2)");
        // a record whose every key is set already: binding alone would stop there with its own words
        assertThat(errors("""
                node:
                  name: fw1
                  name: fw2
                sync: { local: 10.99.0.1, peer: 10.99.0.2 }
                """).errors()).extracting(ConfigError::toString)
                .containsExactly("line 3, column 3: node.name: appears twice (first at line 2)");
    }

    @Test
    void aListOrAValueWhereAMappingBelongsIsNamedAndTheRestIsStillRead() {
        assertThat(errors("""
                node: [fw1, fw2]
                sync: { local: 10.99.0.1, peer: 10.99.0.2, filter: tcp, links: { local: 10.99.0.1 } }
                role: { source: [keepalived], keepalived: /run/hactl/keepalived.fifo }
                control: { socket: hactl.sock }
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 1, column 7: node: must be a mapping of keys",
                "line 2, column 52: sync.filter: must be a mapping of keys",
                "line 2, column 64: sync.links: must be a list",
                "line 3, column 17: role.source: must be a single value, not a list or mapping",
                "line 3, column 43: role.keepalived: must be a mapping of keys",
                "line 4, column 20: control.socket: must be an absolute path");
    }

    @Test
    void aMissingFileSaysSo() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/hactl.yaml")))
                .hasMessageContaining("/nonexistent/hactl.yaml").hasMessageContaining("does not exist");
    }

    @Test
    void aYamlSyntaxErrorSaysLineColumnAndTheParsersWholeMessage() {
        ConfigException e = errors("node: { name: fw1 }\nsync:\n  local: a: b\n");
        assertThat(e.errors()).singleElement().isEqualTo(new ConfigError("(yaml)", 3, 11, "mapping values are not allowed here"));
        assertThat(e.getMessage()).isEqualTo("/etc/hactl/hactl.yaml: 1 error\n  line 3, column 11: (yaml): mapping values are"
                + " not allowed here");
        assertThat(errors("node:\n  name: fw1\n sync: x\n").errors()).singleElement().hasToString(
                "line 3, column 2: (yaml): expected <block end>, but found '<block mapping start>' (while parsing a block"
                        + " mapping that began at line 1, column 1)");
        assertThat(errors("node: \"abc\n").errors()).singleElement().hasToString("line 2, column 1: (yaml): found unexpected"
                + " end of stream (while scanning a quoted scalar that began at line 1, column 7)");
    }

    @Test
    void aBinaryOrNonUtf8FileSaysSoWithItsName(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path bin = dir.resolve("binary.yaml");
        java.nio.file.Files.write(bin, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0});
        assertThatThrownBy(() -> ConfigLoader.load(bin)).hasMessage(bin + ": 1 error\n  (file): is not a text file (a NUL"
                + " byte at offset 7): a binary file, not YAML");
        Path latin1 = dir.resolve("latin1.yaml");
        java.nio.file.Files.write(latin1, "node:\n  name: fw\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(latin1)).hasMessage(latin1 + ": 1 error\n  (file): is not UTF-8 text"
                + " (byte 0xe9 at offset 16, line 2): a binary file, or saved in another encoding");
    }
}
