package com.deliverychannels.packaged;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A test class's packaged product: {@link PackagedProduct} opened on its own table with the functions the
 * class names, before its first test; stopped after its last, when what the functions used of DynamoDB goes to
 * {@link PolicyUsage}. The functions run in other processes, so when a test fails their output — the first thing
 * to read — is printed.
 */
final class PackagedProductExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    private final String table;
    private final List<String> exports;
    private final Map<String, PackagedFunction> functions = new LinkedHashMap<>();
    private PackagedProduct product;

    PackagedProductExtension(String table, String... exports) {
        this.table = table;
        this.exports = List.of(exports);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        product = PackagedProduct.open(table);
        exports.forEach(export -> functions.put(export, product.start(export)));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (product != null) {
            PolicyUsage.record(context.getRequiredTestClass(), product);
            product.close();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        functions.values().forEach(function -> System.out.println(function.describeProcess()));
    }

    PackagedProduct product() {
        return product;
    }

    /** The started function {@code export}. */
    PackagedFunction function(String export) {
        PackagedFunction function = functions.get(export);
        if (function == null) {
            throw new IllegalArgumentException(export + " is not one of the functions started: " + exports);
        }
        return function;
    }
}
