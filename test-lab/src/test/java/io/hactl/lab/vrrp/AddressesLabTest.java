package io.hactl.lab.vrrp;

import static io.hactl.lab.vrrp.VnLink.A_IF;
import static io.hactl.lab.vrrp.VnLink.A_MAC;
import static io.hactl.lab.vrrp.VnLink.B_IF;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hactl.controller.vrrp.net.Addresses;
import io.hactl.controller.vrrp.net.Link;
import io.hactl.controller.vrrp.net.NetException;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.netlink.Errno;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Addresses} against the kernel: what it adds and removes is what {@code ip -j addr show}
 * sees, IPv6 usable at once (not tentative even with duplicate address detection on), repeats
 * harmless, refusals clear; links are found by name with their index, MAC and up/down state.
 */
@LabTest
class AddressesLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VnLink net;
    private Addresses addresses;

    @BeforeEach
    void setUp() throws Exception {
        net = VnLink.create();
        addresses = net.a.call(Addresses::open);
    }

    @AfterEach
    void tearDown() {
        if (addresses != null) {
            addresses.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** The addresses {@code ip} shows on A's interface, as "address/prefix" (with " tentative" when so). */
    private List<String> shown() throws Exception {
        JsonNode links = JSON.readTree(net.a.exec("ip", "-j", "addr", "show", "dev", A_IF));
        List<String> out = new ArrayList<>();
        for (JsonNode info : links.get(0).get("addr_info")) {
            out.add(info.get("local").asText() + "/" + info.get("prefixlen").asInt()
                    + (info.path("tentative").asBoolean(false) ? " tentative" : ""));
        }
        return out;
    }

    @Test
    void linkIsFoundByNameWithTheIndexMacAndStateTheKernelShows() throws Exception {
        JsonNode shown = JSON.readTree(net.a.exec("ip", "-j", "link", "show", "dev", A_IF)).get(0);
        Link link = addresses.link(A_IF);
        assertThat(link.name()).isEqualTo(A_IF);
        assertThat(link.index()).isEqualTo(shown.get("ifindex").asInt());
        assertThat(link.macString()).isEqualTo(A_MAC);
        assertThat(link.up()).isTrue();

        net.b.exec("ip", "link", "set", B_IF, "down");   // A loses its carrier
        assertThat(addresses.link(A_IF).up()).isFalse();
        net.b.exec("ip", "link", "set", B_IF, "up");
        net.a.exec("ip", "link", "set", A_IF, "down");
        assertThat(addresses.link(A_IF).up()).isFalse();
    }

    @Test
    void unknownInterfaceIsAClearErrorWithEnodev() {
        assertThatThrownBy(() -> addresses.link("vnnone0"))
                .isInstanceOf(NetException.class)
                .hasMessageContaining("vnnone0")
                .hasMessageContaining("ENODEV")
                .satisfies(e -> assertThat(((NetException) e).errno()).isEqualTo(Errno.ENODEV));
    }

    @Test
    void ipv4AddressAddedIsShownAndRemovedIsGoneAndRepeatsAreHarmless() throws Exception {
        int index = addresses.link(A_IF).index();
        InetAddress vip = InetAddress.getByName("10.77.0.100");
        assertThat(addresses.add(index, vip, 24)).isTrue();
        assertThat(shown()).contains("10.77.0.100/24");
        assertThat(addresses.add(index, vip, 24)).as("added again").isFalse();
        assertThat(addresses.remove(index, vip, 24)).isTrue();
        assertThat(shown()).doesNotContain("10.77.0.100/24").contains("10.77.0.1/24");
        assertThat(addresses.remove(index, vip, 24)).as("removed again").isFalse();
    }

    @Test
    void ipv6AddressIsUsableAtOnceEvenWithDuplicateAddressDetectionOn() throws Exception {
        net.a.exec("sysctl", "-qw", "net.ipv6.conf." + A_IF + ".accept_dad=1");
        int index = addresses.link(A_IF).index();
        InetAddress global = InetAddress.getByName("2001:db8::100");
        InetAddress linkLocal = InetAddress.getByName("fe80::100");
        assertThat(addresses.add(index, global, 64)).isTrue();
        assertThat(addresses.add(index, linkLocal, 64)).isTrue();
        assertThat(shown()).contains("2001:db8::100/64", "fe80::100/64");
        // the control: the same kind of address added without NODAD is tentative
        net.a.exec("ip", "addr", "add", "2001:db8::200/64", "dev", A_IF);
        assertThat(shown()).contains("2001:db8::200/64 tentative");

        assertThat(addresses.remove(index, global, 64)).isTrue();
        assertThat(addresses.remove(index, linkLocal, 64)).isTrue();
        assertThat(shown()).doesNotContain("2001:db8::100/64", "fe80::100/64");
        assertThat(addresses.remove(index, global, 64)).isFalse();
    }

    @Test
    void addingToAnInterfaceThatDoesNotExistIsAClearError() throws Exception {
        InetAddress vip = InetAddress.getByName("10.77.0.100");
        assertThatThrownBy(() -> addresses.add(9999, vip, 24))
                .isInstanceOf(NetException.class)
                .hasMessageContaining("10.77.0.100/24 on interface 9999")
                .hasMessageContaining("ENODEV");
    }
}
