package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The lab runs its daemons as the package's launcher does: the same JVM options and environment. */
class LauncherOptionsTest {
    @Test
    void theLabsDaemonsRunWithTheLaunchersDefaultOptions() throws Exception {
        String launcher = Files.readString(Path.of("../packaging/src/deb/hactl.launcher"));
        Matcher opts = Pattern.compile("opts=\\$\\{HACTL_DAEMON_JAVA_OPTS:-([^}]*)}").matcher(launcher);
        assertThat(opts.find()).as("the daemon's default options in hactl.launcher").isTrue();
        assertThat(opts.group(1).trim().split("\\s+")).containsExactlyElementsOf(HactlNode.LAUNCHER_JVM);
        Matcher arenas = Pattern.compile("MALLOC_ARENA_MAX=\\$\\{MALLOC_ARENA_MAX:-(\\d+)}").matcher(launcher);
        assertThat(arenas.find()).as("MALLOC_ARENA_MAX in hactl.launcher").isTrue();
        assertThat(arenas.group(1)).isEqualTo(HactlNode.MALLOC_ARENA_MAX);

        String defaults = Files.readString(Path.of("../packaging/src/deb/hactl.default"));
        assertThat(defaults).as("hactl.default shows the launcher's defaults")
                .contains("#HACTL_DAEMON_JAVA_OPTS=\"" + String.join(" ", HactlNode.LAUNCHER_JVM) + "\"");
    }
}
