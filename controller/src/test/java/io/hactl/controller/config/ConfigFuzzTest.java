package io.hactl.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Coverage-guided fuzzing (Jazzer) of the configuration loader on YAML text. A finding is any
 * exception other than {@link ConfigException}, a ConfigException with an error that names no
 * key, says nothing, speaks Java instead of the configuration's words (data binding's own message
 * and class names: it failed somewhere the loader does not take up) or comes out of the file's
 * order, or a configuration that loads but that the daemon then cannot turn into its engine
 * settings (a crash at start instead of an error with key and line).
 *
 * <p>Seeds and kept findings: src/test/resources/io/hactl/controller/config/ConfigFuzzTestInputs/configText.
 */
class ConfigFuzzTest {
    private static final Path FILE = Path.of("/etc/hactl/hactl.yaml");

    @FuzzTest(maxDuration = "25s")
    void configText(byte[] input) {
        // what Files.readString gives the loader: text (a file that is not UTF-8 fails before parsing)
        String text = new String(input, StandardCharsets.UTF_8);
        HactlConfig c;
        try {
            c = ConfigLoader.parse(text, FILE);
        } catch (ConfigException e) {
            assertThat(e.errors()).isNotEmpty().allSatisfy(err -> {
                assertThat(err.path()).as("error %s names a key", err).isNotBlank();
                assertThat(err.message()).as("error %s says what is wrong", err).isNotBlank();
                assertThat(err.line()).isNotNegative();
                assertThat(err.message()).as("error %s speaks the configuration's words", err)
                        .doesNotContain("io.hactl.").doesNotContain("com.fasterxml.").doesNotContain("Cannot construct")
                        .doesNotContain("Cannot deserialize");
            });
            assertThat(e.errors()).as("errors in the order of the file").isSortedAccordingTo(
                    Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
            return;
        }
        assertThat(c.sync().links()).as("a loaded configuration has a sync link").isNotEmpty();
        assertThat(c.sync().toEngine(c.node(), new byte[32])).isNotNull();
    }
}
