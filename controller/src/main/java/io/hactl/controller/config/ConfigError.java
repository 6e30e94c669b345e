package io.hactl.controller.config;

/**
 * One problem in the configuration: the key path, its line and column (0 when unknown) and what
 * is wrong.
 */
public record ConfigError(String path, int line, int column, String message) {
    public ConfigError(String path, int line, String message) {
        this(path, line, 0, message);
    }

    @Override
    public String toString() {
        return (line > 0 ? "line " + line + (column > 0 ? ", column " + column : "") + ": " : "") + path + ": " + message;
    }
}
