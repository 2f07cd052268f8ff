package com.deliverychannels.packaged;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A packaged function runs in another process: when a test fails, its output is the first thing to read, so
 * this prints it for each function the test class names.
 */
final class PrintFunctionOutputOnFailure implements TestWatcher {
    private final List<Supplier<PackagedFunction>> functions;

    @SafeVarargs
    PrintFunctionOutputOnFailure(Supplier<PackagedFunction>... functions) {
        this.functions = List.of(functions);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        functions.stream()
                .map(Supplier::get)
                .filter(Objects::nonNull)
                .map(PackagedFunction::describeProcess)
                .forEach(System.out::println);
    }
}
