package io.hactl.sync.engine;

import io.hactl.sync.filter.IpLiteral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {

    @ParameterizedTest
    @CsvSource({
            "10.99.0.1, 10.99.0.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "2001:db8::1, 2001:db8:0:0:0:0:0:1",
            "::1, 0:0:0:0:0:0:0:1",
            "fd99::2, fd99:0:0:0:0:0:0:2"})
    void literalsAreRead(String text, String address) throws Exception {
        assertThat(IpLiteral.parse(text)).isEqualTo(InetAddress.getByName(address));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "cafe.be",       // hex digits and dots: InetAddress looked it up in DNS
            "1e.2",          // likewise
            "1.2.3.300",     // an octet out of range: also looked up in DNS
            "10.1",          // shorthand InetAddress reads as 10.0.0.1
            "1234",          // a bare number InetAddress reads as 0.0.4.210
            "010.0.0.1",     // a leading zero, octal to other tools
            "",
            "dead:beef",
            "fe80::1%eth0",
            "gateway.example"})
    void anythingElseIsRefusedWithoutAskingAResolver(String text) {
        assertThatThrownBy(() -> IpLiteral.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not an IP address");
    }
}
