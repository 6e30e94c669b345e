package io.hactl.controller.config;

import static io.hactl.controller.config.ConfigLoaderTest.errors;
import static io.hactl.controller.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.RouterConfig;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** role.source: vrrp and its role.vrrp section: values, defaults, and every error with key and line. */
class VrrpConfigLoaderTest {
    /** Lines 1-4; role starts at line 5. */
    static final String BASE = """
            node: { name: fw1 }
            sync:
              local: 10.99.0.1
              peer: 10.99.0.2
            """;

    static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void theIssueExampleLoadsWithItsValues() throws Exception {
        HactlConfig c = parse(BASE + """
                role:
                  source: vrrp
                  vrrp:
                    advert-interval: 100ms
                    preempt: true
                    preempt-delay: 0s
                    checksum: keepalived-v2
                    garp: { repeat: 3, interval: 100ms }
                    commit-budget: 1500ms
                    instances:
                      - name: LAN
                        interface: lan
                        vrid: 61
                        priority: 200
                        addresses: [10.10.0.1/24]
                      - name: WAN
                        interface: wan
                        vrid: 62
                        priority: 200
                        addresses: [10.20.0.1/24, 10.20.0.7]
                        unicast-peers: [10.20.0.3]
                """);
        VrrpConfig v = c.role().vrrp();
        assertThat(c.role().source()).isEqualTo("vrrp");
        assertThat(v.advertIntervalCentis()).isEqualTo(10);
        assertThat(v.checksum()).isEqualTo(ChecksumMode.KEEPALIVED_V2);
        assertThat(v.garpRepeat()).isEqualTo(3);
        assertThat(v.garpInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(v.commitBudget()).isEqualTo(Duration.ofMillis(1500));
        assertThat(v.instances()).extracting(RouterConfig::name).containsExactly("LAN", "WAN");
        RouterConfig wan = v.instances().get(1);
        assertThat(wan.interfaceName()).isEqualTo("wan");
        assertThat(wan.vrid()).isEqualTo(62);
        assertThat(wan.priority()).isEqualTo(200);
        assertThat(wan.addresses()).containsExactly(new VirtualAddress(ip("10.20.0.1"), 24),
                new VirtualAddress(ip("10.20.0.7"), 32));
        assertThat(wan.unicastPeers()).containsExactly(ip("10.20.0.3"));
        assertThat(v.describe()).contains("advert-interval 100 ms", "commit-budget 1500 ms",
                "LAN: lan vrid 61 priority 200 [10.10.0.1/24] multicast", "unicast to [10.20.0.3]");
    }

    @Test
    void leftOutKeysTakeTheirDefaultsAndIpv6WorksWithItsLinkLocalFirst() throws Exception {
        VrrpConfig v = parse(BASE + """
                role:
                  source: vrrp
                  vrrp:
                    instances:
                      - { name: V6, interface: lan, vrid: 61, addresses: ["fe80::1/64", "2001:db8::1/64"] }
                      - { name: V4, interface: lan, vrid: 61, addresses: 10.10.0.1/24 }
                """).role().vrrp();
        assertThat(v.advertInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(v.preempt()).isTrue();
        assertThat(v.preemptDelay()).isZero();
        assertThat(v.checksum()).isEqualTo(ChecksumMode.RFC);
        assertThat(v.garpRepeat()).isEqualTo(VrrpConfig.DEFAULT_GARP_REPEAT);
        assertThat(v.commitBudget()).isEqualTo(Duration.ofSeconds(2));
        assertThat(v.instances().get(0).family()).isEqualTo(IpFamily.IPV6);
        assertThat(v.instances().get(0).priority()).isEqualTo(100);
        assertThat(v.instances().get(1).family()).as("the same VRID in the other family is another router")
                .isEqualTo(IpFamily.IPV4);
    }

    @Test
    void keepalivedStaysTheDefaultWithoutAVrrpSection() throws Exception {
        HactlConfig c = parse(BASE);
        assertThat(c.role().source()).isEqualTo("keepalived");
        assertThat(c.role().vrrp()).isNull();
    }

    @Test
    void groupSettingsOutOfBoundsAreNamedWithTheirLine() {
        assertThat(errors(BASE + """
                role:
                  source: vrrp
                  vrrp:
                    advert-interval: 105ms
                    preempt-delay: 2h
                    checksum: v2
                    garp: { repeat: 0, interval: 5ms }
                    commit-budget: 2m
                    instances: [ { name: LAN, interface: lan, vrid: 61, addresses: [10.10.0.1/24] } ]
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 8, column 22: role.vrrp.advert-interval: 105 ms is not a whole number of centiseconds, as"
                        + " advertisements carry it (RFC 9568 5.2.7): use a multiple of 10ms",
                "line 9, column 20: role.vrrp.preempt-delay: 2h is outside 0 ms .. 1000 s",
                "line 10, column 15: role.vrrp.checksum: 'v2' is not one of keepalived-v2, rfc",
                "line 11, column 21: role.vrrp.garp.repeat: 0 is outside 1..100",
                "line 11, column 34: role.vrrp.garp.interval: 5ms is outside 10 ms .. 60 s",
                "line 12, column 20: role.vrrp.commit-budget: 2m is outside 0 ms .. 60 s");
        assertThat(errors(BASE + """
                role:
                  source: vrrp
                  vrrp:
                    advert-interval: 41s
                    instances: [ { name: LAN, interface: lan, vrid: 61, addresses: [10.10.0.1/24] } ]
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 8, column 22: role.vrrp.advert-interval: 41s is outside 10 ms .. 40950 ms");
    }

    @Test
    void instanceErrorsNameTheirKeyAndLine() {
        assertThat(errors(BASE + """
                role:
                  source: vrrp
                  vrrp:
                    instances:
                      - name: LAN
                        interface: lan
                        vrid: 256
                        priority: 255
                        addresses: [10.10.0.1/24, "fe80::1/64", 10.10.0.300, 10.10.0.2/33]
                        unicast-peers: ["fd00::2", 224.0.0.18]
                      - name: LAN
                        interface: eth0/1
                        vrid: 61
                        addresses: [10.10.0.1]
                      - { name: WAN, interface: wan, vrid: 62, addresses: ["fd00::1/64"] }
                      - { name: DMZ, interface: wan, vrid: 62, addresses: ["fe80::2/64"] }
                      - { name: X, vrid: 9 }
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 11, column 15: role.vrrp.instances[0].vrid: 256 is outside 1..255",
                "line 12, column 19: role.vrrp.instances[0].priority: 255 is for the owner of the addresses"
                        + " (RFC 9568 5.2.4), which a firewall pair does not have: the addresses move between the"
                        + " gateways; use 1..254",
                "line 13, column 35: role.vrrp.instances[0].addresses[1]: fe80:0:0:0:0:0:0:1/64 is IPv6 but"
                        + " 10.10.0.1/24 is IPv4: one family per instance (RFC 9568 1.2); give the other family an"
                        + " instance of its own",
                "line 13, column 49: role.vrrp.instances[0].addresses[2]: '10.10.0.300' is not an IP address",
                "line 13, column 62: role.vrrp.instances[0].addresses[3]: '10.10.0.2/33' has no valid prefix"
                        + " length (0..32)",
                "line 14, column 25: role.vrrp.instances[0].unicast-peers[0]: fd00:0:0:0:0:0:0:2 is not an IPv4"
                        + " unicast address like the instance's addresses",
                "line 14, column 36: role.vrrp.instances[0].unicast-peers[1]: 224.0.0.18 is not an IPv4 unicast"
                        + " address like the instance's addresses",
                "line 15, column 15: role.vrrp.instances[1].name: 'LAN' is already the name of"
                        + " role.vrrp.instances[0]",
                "line 16, column 20: role.vrrp.instances[1].interface: 'eth0/1' is not an interface name (1 to 15"
                        + " characters, no '/', ':' or blanks)",
                "line 18, column 21: role.vrrp.instances[1].addresses[0]: 10.10.0.1 is already an address of"
                        + " role.vrrp.instances[0]",
                "line 19, column 60: role.vrrp.instances[2].addresses[0]: fd00:0:0:0:0:0:0:1/64: the first IPv6"
                        + " address must be link-local, fe80::/10 (RFC 9568 5.2.9)",
                "line 20, column 44: role.vrrp.instances[3].vrid: 62 on wan (IPv6) is already"
                        + " role.vrrp.instances[2]'s: one VRID per interface and family",
                "line 21, column 9: role.vrrp.instances[4].interface: is required",
                "line 21, column 9: role.vrrp.instances[4].addresses: is required: at least one address");
    }

    @Test
    void theSectionsOfTheOtherRoleSourceAreErrors() {
        assertThat(errors(BASE + """
                role:
                  source: keepalived
                  vrrp: { instances: [ { name: LAN, interface: lan, vrid: 61, addresses: [10.10.0.1/24] } ] }
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 7, column 9: role.vrrp: is read only with role.source: vrrp (role.source is keepalived)");
        assertThat(errors(BASE + """
                role:
                  source: vrrp
                  keepalived: { notify-fifo: /run/hactl/keepalived.fifo }
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 6, column 3: role.vrrp: is required",
                "line 7, column 15: role.keepalived: is read only with role.source: keepalived (role.source is vrrp)");
        assertThat(errors(BASE + """
                role:
                  source: vrrp
                  vrrp: { instances: [] }
                """).errors()).extracting(ConfigError::toString).containsExactly(
                "line 7, column 22: role.vrrp.instances: is required: at least one instance");
        assertThat(errors(BASE + """
                role:
                  source: vrrp
                  vrrp: { instances: [ { name: LAN, interface: lan, vrid: 61, adresses: [10.10.0.1/24] } ] }
                """).errors()).extracting(ConfigError::toString).contains(
                "line 7, column 63: role.vrrp.instances[0].adresses: unknown key (known: addresses, interface, name,"
                        + " priority, unicast-peers, vrid)");
    }

    @Test
    void theIssuesListOfKeysIsWhatTheRecordsAccept() throws Exception {
        List<String> keys = List.of("advert-interval", "preempt", "preempt-delay", "checksum", "garp", "commit-budget",
                "instances");
        ConfigException e = errors(BASE + "role: { source: vrrp, vrrp: { bogus: 1 } }\n");
        assertThat(e.errors()).filteredOn(x -> x.path().equals("role.vrrp.bogus")).singleElement()
                .extracting(ConfigError::message).asString().contains(String.join(", ", keys.stream().sorted().toList()));
    }

    @Test
    void thePackagedExampleLoadsWithItsVrrpBlockUncommented() throws Exception {
        // the conffile's commented role.vrrp block, taken as its comment says (tests run in controller/)
        StringBuilder text = new StringBuilder();
        boolean keepalived = false;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("../packaging/src/deb/hactl.yaml"))) {
            if (line.startsWith("  keepalived:")) {
                keepalived = true;
                continue;
            }
            if (keepalived && line.startsWith("    ")) {
                continue;
            }
            keepalived = false;
            line = line.replace("source: keepalived", "source: vrrp");
            text.append(line.startsWith("  #vrrp:") || line.startsWith("  #  ") ? "  " + line.substring(3) : line)
                    .append('\n');
        }
        HactlConfig c = parse(text.toString());
        assertThat(c.role().source()).isEqualTo("vrrp");
        assertThat(c.role().vrrp().instances()).extracting(RouterConfig::name).containsExactly("LAN", "WAN");
        assertThat(c.role().vrrp().commitBudget()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.role().vrrp().instances().get(1).unicastPeers()).isEmpty();
    }
}
