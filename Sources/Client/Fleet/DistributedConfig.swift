import ComfyJSON
import Foundation

/// A ComfyUI-Distributed master's configuration as `GET /distributed/config` answers it (the extension's
/// `gpu_config.json`): `{"master": {"name", "host", "port", …}, "workers": [{"id", "name", "host", "port",
/// "enabled", "type", "cuda_device", …}], "settings": {…}, "tunnel": {…}}`. Only the machines are read; the
/// settings (which may hold the extension's API token) are never looked at.
public struct DistributedConfig: Sendable, Equatable {
    /// The master or a worker.
    public struct Machine: Sendable, Equatable {
        public var id: String?
        public var name: String?
        /// A host name or address, possibly a whole URL (`https://x.proxy.runpod.net`); empty or loopback for a
        /// worker the master runs on its own machine.
        public var host: String?
        public var port: Int?
        public var enabled: Bool
        /// `local` (started by the master on its machine), `remote` or `cloud`.
        public var type: String?
        public var cudaDevice: Int?

        public init(
            id: String? = nil, name: String? = nil, host: String? = nil, port: Int? = nil, enabled: Bool = true,
            type: String? = nil, cudaDevice: Int? = nil
        ) {
            self.id = id
            self.name = name
            self.host = host
            self.port = port
            self.enabled = enabled
            self.type = type
            self.cudaDevice = cudaDevice
        }
    }

    public var master: Machine?
    public var workers: [Machine]
    /// Workers that could not be read, each said why ("workers[3] is not an object").
    public var problems: [String]

    public init(master: Machine? = nil, workers: [Machine] = [], problems: [String] = []) {
        self.master = master
        self.workers = workers
        self.problems = problems
    }

    /// Reads the answer's body.
    public static func parse(_ body: [UInt8]) throws(DistributedConfigError) -> DistributedConfig {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw DistributedConfigError("the answer is not JSON")
        }
        return try parse(json)
    }

    /// Reads the JSON. The document must be an object with a `workers` list or a `master` object; a worker that
    /// is not an object, or whose port is not a port, is left out and named in `problems`.
    public static func parse(_ json: JSONValue) throws(DistributedConfigError) -> DistributedConfig {
        guard case .object = json else { throw DistributedConfigError("the answer is not a JSON object") }
        let workersValue = json["workers"]
        let masterValue = json["master"]
        if workersValue == nil && masterValue == nil {
            throw DistributedConfigError("the answer has neither \"workers\" nor \"master\"")
        }
        var config = DistributedConfig()
        if let masterValue, !masterValue.isNull {
            guard case .object = masterValue else { throw DistributedConfigError("\"master\" is not an object") }
            config.master = try? machine(masterValue, enabledByDefault: true)
        }
        guard let workersValue, !workersValue.isNull else { return config }
        guard let list = workersValue.arrayValue else { throw DistributedConfigError("\"workers\" is not a list") }
        for (index, value) in list.enumerated() {
            guard case .object = value else {
                config.problems.append("workers[\(index)] is not an object")
                continue
            }
            do {
                // ComfyUI-Distributed dispatches only to workers whose "enabled" is true.
                config.workers.append(try machine(value, enabledByDefault: false))
            } catch {
                config.problems.append("workers[\(index)]: \(error.description)")
            }
        }
        return config
    }

    private static func machine(_ value: JSONValue, enabledByDefault: Bool) throws(DistributedConfigError)
        -> Machine
    {
        var port: Int?
        if let raw = value["port"], !raw.isNull {
            let number = raw.intValue ?? raw.stringValue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let number, (1...65535).contains(number) else {
                throw DistributedConfigError("its port is not a port number")
            }
            port = number
        }
        return Machine(
            id: text(value["id"]), name: text(value["name"]), host: text(value["host"]), port: port,
            enabled: value["enabled"]?.boolValue ?? enabledByDefault, type: text(value["type"]),
            cudaDevice: value["cuda_device"]?.intValue)
    }

    /// A string, or a number written as one (ids are strings in new configs, numbers in old ones).
    private static func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if let s = value.stringValue { return s }
        if let i = value.intValue { return String(i) }
        return nil
    }
}

/// Why a master's configuration could not be read or used.
public struct DistributedConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
    /// The master could not be reached at all (exit code 3).
    public let isUnreachable: Bool

    public init(_ description: String, isUnreachable: Bool = false) {
        self.description = description
        self.isUnreachable = isUnreachable
    }
}
