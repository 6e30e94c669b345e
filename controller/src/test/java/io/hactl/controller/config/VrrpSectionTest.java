package io.hactl.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.hactl.controller.vrrp.RouterConfig;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The role.vrrp checks on bound records, without a file (so without lines: VrrpConfigLoaderTest
 * proves the keys and lines through the loader).
 */
class VrrpSectionTest {
    final Problems problems = new Problems();

    static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    static ConfigFile.Vrrp vrrp(ConfigFile.VrrpInstance... instances) {
        return new ConfigFile.Vrrp(Duration.ofMillis(100), null, null, null, null, null, List.of(instances));
    }

    static ConfigFile.VrrpInstance instance(String name, String iface, int vrid, String address) throws Exception {
        return new ConfigFile.VrrpInstance(name, iface, vrid, 200, List.of(new VirtualAddress(ip(address), 24)), null);
    }

    @Test
    void aValidSectionBecomesTheGroupsConfig() throws Exception {
        VrrpConfig c = VrrpSection.read(new ConfigFile.Role("vrrp", null, vrrp(instance("LAN", "lan", 61, "10.10.0.1"),
                instance("WAN", "wan", 61, "10.20.0.1"))), problems);

        assertThat(problems.errors()).isEmpty();
        assertThat(c.advertIntervalCentis()).isEqualTo(10);
        assertThat(c.instances()).extracting(RouterConfig::name).containsExactly("LAN", "WAN");
    }

    @Test
    void withAnotherSourceTheSectionIsNotReadAndGivingItIsAnError() throws Exception {
        VrrpConfig c = VrrpSection.read(new ConfigFile.Role("keepalived", null,
                vrrp(instance("LAN", "lan", 61, "10.10.0.1"))), problems);

        assertThat(c).isNull();
        assertThat(problems.errors()).extracting(ConfigError::path, ConfigError::message).containsExactly(
                tuple("role.vrrp",
                        "is read only with role.source: vrrp (role.source is keepalived)"));
    }

    @Test
    void everyClashIsReportedAtTheLaterInstanceNamingTheFirst() throws Exception {
        VrrpConfig c = VrrpSection.read(new ConfigFile.Role("vrrp", null, vrrp(instance("LAN", "lan", 61, "10.10.0.1"),
                instance("LAN", "lan", 61, "10.10.0.1"), instance("DMZ", "dmz/0", 63, "10.30.0.1"))), problems);

        assertThat(c).isNull();
        assertThat(problems.errors()).extracting(ConfigError::path).containsExactly(
                "role.vrrp.instances[1].name", "role.vrrp.instances[1].addresses[0]", "role.vrrp.instances[1].vrid",
                "role.vrrp.instances[2].interface");
        assertThat(problems.errors()).extracting(ConfigError::message).containsExactly(
                "'LAN' is already the name of role.vrrp.instances[0]",
                "10.10.0.1 is already an address of role.vrrp.instances[0]",
                "61 on lan (IPv4) is already role.vrrp.instances[0]'s: one VRID per interface and family",
                "'dmz/0' is not an interface name (1 to 15 characters, no '/', ':' or blanks)");
    }
}
