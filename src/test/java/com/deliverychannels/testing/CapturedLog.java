package com.deliverychannels.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * The lines one logger of the product writes while a test runs (in the test JVM, where the product's
 * {@code @QuarkusTest} code runs too), as people would read them: formatted, with the level.
 */
public final class CapturedLog implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            synchronized (lines) {
                lines.add(record.getLevel() + " " + text);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLog(String loggerName) {
        this.logger = Logger.getLogger(loggerName);
        logger.addHandler(handler);
    }

    /** Captures what the logger of {@code type} writes until {@link #close()}. */
    public static CapturedLog of(Class<?> type) {
        return new CapturedLog(type.getName());
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
