import ComfyJSON
import Foundation
import Hummingbird
import NIOCore

/// ComfyUI-Distributed's `GET /distributed/config` (the extension's `gpu_config.json`), for `comfytop fleet
/// import`. With `COMFYTOP_MOCK_DISTRIBUTED_WORKERS=N` in its environment the mock answers as a master whose N workers run on its own machine at the next N ports (host `localhost`, as the
/// extension lays out the workers it launches: with `mock --servers N+1` they are real mocks), plus one disabled
/// remote worker at a documentation address. Without it the route is absent (404), as on a ComfyUI without the
/// extension.
enum DistributedRoute {
    /// The variable that turns the route on.
    static let variable = "COMFYTOP_MOCK_DISTRIBUTED_WORKERS"

    static func register(on router: Router<MockContext>) {
        guard let text = ProcessInfo.processInfo.environment[variable], let workers = Int(text), workers >= 0 else {
            return
        }
        let count = min(workers, 256)
        // A custom node's routes are served at their path and under /api, as ComfyUI serves its own.
        for prefix in ["", "/api"] {
            router.get("\(prefix)/distributed/config") { _, context in
                let port = context.channel.localAddress?.port ?? 8188
                return MockRoutes.response(.json(config(port: port, workers: count)))
            }
        }
    }

    /// The extension's config for a master on `port` with `workers` local workers after it.
    static func config(port: Int, workers: Int) -> JSONValue {
        var list: [JSONValue] = (0..<workers).map { i in
            .obj(
                ("id", .string("worker_\(i + 1)")), ("name", .string("Worker \(i + 1)")),
                ("host", .string("localhost")), ("port", .int(port + i + 1)), ("cuda_device", .int(i + 1)),
                ("enabled", .bool(true)), ("extra_args", .string("")), ("type", .string("local")))
        }
        list.append(
            .obj(
                ("id", .string("remote_1")), ("name", .string("Remote box")), ("host", .string("192.0.2.10")),
                ("port", .int(8188)), ("enabled", .bool(false)), ("extra_args", .string("")),
                ("type", .string("remote"))))
        return .obj(
            ("master", .obj(("host", .string("")), ("cuda_device", .int(0)), ("extra_args", .string("")))),
            ("workers", .array(list)),
            (
                "settings",
                .obj(
                    ("debug", .bool(false)), ("auto_launch_workers", .bool(false)),
                    ("stop_workers_on_master_exit", .bool(true)), ("master_delegate_only", .bool(false)),
                    ("websocket_orchestration", .bool(true)))
            ),
            (
                "tunnel",
                .obj(
                    ("status", .string("stopped")), ("public_url", .string("")), ("pid", .null),
                    ("log_file", .string("")), ("previous_master_host", .string("")))
            ))
    }
}
