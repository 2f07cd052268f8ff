package com.deliverychannels.http;

import java.util.Map;

/**
 * An answer before it becomes an {@code APIGatewayV2HTTPResponse}.
 *
 * @param body the JSON value to write; null for no body
 */
public record ApiResponse(int status, Map<String, String> headers, Object body) {

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, Map.of(), body);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(201, Map.of(), body);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, Map.of(), null);
    }
}
