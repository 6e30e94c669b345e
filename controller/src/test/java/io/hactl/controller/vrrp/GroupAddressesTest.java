package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupAddressesTest {
    final Parts parts = new Parts();
    final GroupAddresses addresses = new GroupAddresses(parts.members, parts.io, parts.failures);

    @Test
    void everyMemberIsAddedAnnouncedAndRemovedInConfigurationOrder() {
        assertThat(addresses.add()).isNull();
        assertThat(addresses.announce()).isNull();
        assertThat(addresses.remove()).isNull();

        assertThat(parts.calls).containsExactly("add LAN", "add WAN", "announce LAN", "announce WAN", "remove LAN",
                "remove WAN");
        assertThat(parts.failures.count()).isZero();
    }

    @Test
    void oneMemberFailingLeavesTheOthersDoneAndItsErrorIsTheStepsText() {
        parts.io.failing.add("add LAN");
        parts.io.failing.add("remove WAN");
        parts.io.failing.add("announce LAN");
        parts.io.failing.add("announce WAN");

        assertThat(addresses.add()).isEqualTo("LAN: adding [10.10.0.1/24]: add LAN: No such device");
        assertThat(addresses.remove()).isEqualTo("WAN: removing [10.20.0.1/24]: remove WAN: No such device");
        assertThat(addresses.announce()).isEqualTo("LAN: announcing [10.10.0.1/24]: announce LAN: No such device;"
                + " WAN: announcing [10.20.0.1/24]: announce WAN: No such device");

        assertThat(parts.calls).containsExactly("add LAN", "add WAN", "remove LAN", "remove WAN", "announce LAN",
                "announce WAN");
        assertThat(parts.failures.count()).isEqualTo(4);
    }
}
