import ComfyJSON
import Foundation

/// The outcome of `validate_prompt`: either queueable outputs (maybe with `node_errors` for dropped ones) or
/// the 400 error body.
struct ValidationResult: Sendable {
    var ok: Bool
    var error: JSONValue
    var outputs: [String]
    var nodeErrors: JSONValue
    /// The prompt with input values normalised in place, as the real server does before queueing.
    var prompt: JSONValue
}

/// A port of ComfyUI 0.3.64's `execution.validate_prompt` / `validate_inputs`, with the same error shapes.
struct Validator {
    let catalog: NodeCatalog
    var prompt: [(String, JSONValue)]
    private var validated: [(String, Bool, [JSONValue])] = []
    private var visiting: Set<String> = []

    init(catalog: NodeCatalog, prompt: [(String, JSONValue)]) {
        self.catalog = catalog
        self.prompt = prompt
    }

    static func error(_ type: String, _ message: String, _ details: String, _ extra: JSONValue = .object([]))
        -> JSONValue
    {
        .obj(
            ("type", .string(type)), ("message", .string(message)), ("details", .string(details)), ("extra_info", extra)
        )
    }

    mutating func validate(partialTargets: [String]?) -> ValidationResult {
        func fail(_ error: JSONValue) -> ValidationResult {
            ValidationResult(ok: false, error: error, outputs: [], nodeErrors: .object([]), prompt: .object(prompt))
        }
        var outputs: [String] = []
        for (id, node) in prompt {
            guard let classType = node["class_type"]?.stringValue else {
                return fail(
                    Self.error(
                        "invalid_prompt", "Cannot execute because a node is missing the class_type property.",
                        "Node ID '#\(id)'"))
            }
            guard let def = catalog.definition(classType) else {
                return fail(
                    Self.error(
                        "invalid_prompt", "Cannot execute because node \(classType) does not exist.", "Node ID '#\(id)'"
                    ))
            }
            if def.isOutputNode, partialTargets == nil || partialTargets?.contains(id) == true { outputs.append(id) }
        }
        if outputs.isEmpty { return fail(Self.error("prompt_no_outputs", "Prompt has no outputs", "")) }

        var good: [String] = []
        var outputErrors: [JSONValue] = []
        var nodeErrors: [(String, JSONValue)] = []
        for output in outputs {
            var valid: Bool
            var reasons: [JSONValue]
            do {
                (valid, reasons) = try validateInputs(output)
            } catch {
                valid = false
                reasons = [
                    Self.error(
                        "exception_during_validation", "Exception when validating node", error.details,
                        .obj(
                            ("exception_type", .string(error.type)),
                            ("traceback", .array(error.traceback.map { .string($0) })))
                    )
                ]
                record(output, false, reasons)
            }
            if valid {
                good.append(output)
                continue
            }
            outputErrors.append(contentsOf: reasons)
            // As the real server: every invalid node with its own reasons is reported, and each failing output
            // is appended to its dependent_outputs.
            for (nodeID, nodeValid, nodeReasons) in validated where !nodeValid && !nodeReasons.isEmpty {
                if let index = nodeErrors.firstIndex(where: { $0.0 == nodeID }) {
                    let deps = (nodeErrors[index].1["dependent_outputs"]?.arrayValue ?? []) + [.string(output)]
                    nodeErrors[index].1 = nodeErrors[index].1.setting("dependent_outputs", .array(deps))
                } else {
                    let classType = node(nodeID)?["class_type"] ?? .null
                    nodeErrors.append(
                        (
                            nodeID,
                            .obj(
                                ("errors", .array(nodeReasons)), ("dependent_outputs", .array([.string(output)])),
                                ("class_type", classType))
                        ))
                }
            }
        }
        if good.isEmpty {
            let details = outputErrors.map { e in
                "\(e["message"]?.stringValue ?? ""): \(e["details"]?.stringValue ?? "")"
            }.joined(separator: "\n")
            var result = fail(
                Self.error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details))
            result.nodeErrors = .object(nodeErrors)
            return result
        }
        // The real server returns list(set(...)); keep one stable order (highest id first, as recorded).
        good.sort { a, b in
            if let x = Int(a), let y = Int(b) { return x > y }
            return a > b
        }
        return ValidationResult(
            ok: true, error: .null, outputs: good, nodeErrors: .object(nodeErrors), prompt: .object(prompt))
    }

    struct PythonException: Error {
        var type: String
        var details: String
        var traceback: [String]
    }

    private func node(_ id: String) -> JSONValue? { prompt.first(where: { $0.0 == id })?.1 }

    private mutating func record(_ id: String, _ valid: Bool, _ reasons: [JSONValue]) {
        if let index = validated.firstIndex(where: { $0.0 == id }) {
            validated[index] = (id, valid, reasons)
        } else {
            validated.append((id, valid, reasons))
        }
    }

    private mutating func setInput(_ id: String, _ name: String, _ value: JSONValue) {
        guard let index = prompt.firstIndex(where: { $0.0 == id }), let inputs = prompt[index].1["inputs"] else {
            return
        }
        prompt[index].1 = prompt[index].1.setting("inputs", inputs.setting(name, value))
    }

    static let keyErrorTraceback = [
        "  File \"\(MockPaths.comfyDir)/execution.py\", line 1010, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
        "  File \"\(MockPaths.comfyDir)/execution.py\", line 788, in validate_inputs\n    o_class_type = prompt[o_id]['class_type']\n                   ~~~~~~^^^^^^\n",
    ]

    mutating func validateInputs(_ id: String) throws(PythonException) -> (Bool, [JSONValue]) {
        if let done = validated.first(where: { $0.0 == id }) { return (done.1, done.2) }
        // The real server has no cycle guard here (it recurses until Python gives up); stop instead of looping.
        if visiting.contains(id) { return (true, []) }
        visiting.insert(id)
        defer { visiting.remove(id) }
        guard let node = node(id), let classType = node["class_type"]?.stringValue,
            let def = catalog.definition(classType)
        else {
            throw PythonException(type: "KeyError", details: "'\(id)'", traceback: Self.keyErrorTraceback)
        }
        guard let inputs = node["inputs"] else {
            throw PythonException(type: "KeyError", details: "'inputs'", traceback: Self.keyErrorTraceback)
        }
        var errors: [JSONValue] = []
        var valid = true
        for (name, category, spec) in def.inputs {
            let inputType = spec[0] ?? .null
            let options = spec[1] ?? .object([])
            let inputConfig = JSONValue.array([inputType, options])
            guard var value = inputs[name] else {
                if category == "required" {
                    errors.append(
                        Self.error(
                            "required_input_missing", "Required input is missing", name,
                            .obj(("input_name", .string(name)))))
                }
                continue
            }
            if case .array(let link) = value {
                guard link.count == 2 else {
                    errors.append(
                        Self.error(
                            "bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                            name,
                            .obj(
                                ("input_name", .string(name)), ("input_config", inputConfig), ("received_value", value))
                        ))
                    continue
                }
                let upstreamID = link[0].pythonStr
                guard let upstream = self.node(upstreamID), let upstreamClass = upstream["class_type"]?.stringValue,
                    let upstreamDef = catalog.definition(upstreamClass)
                else {
                    throw PythonException(
                        type: "KeyError", details: "'\(upstreamID)'", traceback: Self.keyErrorTraceback)
                }
                let slot = link[1].intValue ?? -1
                guard upstreamDef.outputTypes.indices.contains(slot) else {
                    throw PythonException(
                        type: "IndexError", details: "tuple index out of range", traceback: Self.keyErrorTraceback)
                }
                let received = upstreamDef.outputTypes[slot]
                if let expected = inputType.stringValue, !Self.typesMatch(received, expected) {
                    errors.append(
                        Self.error(
                            "return_type_mismatch", "Return type mismatch between linked nodes",
                            "\(name), received_type(\(received)) mismatch input_type(\(expected))",
                            .obj(
                                ("input_name", .string(name)), ("input_config", inputConfig),
                                ("received_type", .string(received)), ("linked_node", value))))
                    continue
                }
                do {
                    let (upstreamValid, _) = try validateInputs(upstreamID)
                    if !upstreamValid { valid = false }
                } catch {
                    valid = false
                    record(
                        upstreamID, false,
                        [
                            Self.error(
                                "exception_during_inner_validation", "Exception when validating inner node",
                                error.details,
                                .obj(
                                    ("input_name", .string(name)), ("input_config", inputConfig),
                                    ("exception_message", .string(error.details)),
                                    ("exception_type", .string(error.type)),
                                    ("traceback", .array(error.traceback.map { .string($0) })), ("linked_node", value)))
                        ])
                }
                continue
            }
            if case .object = value, let unwrapped = value["__value__"] {
                value = unwrapped
                setInput(id, name, value)
            }
            if let typeName = inputType.stringValue {
                switch PythonConvert.convert(value, to: typeName) {
                case .success(let converted):
                    value = converted
                    setInput(id, name, value)
                case .failure(let message):
                    errors.append(
                        Self.error(
                            "invalid_input_type", "Failed to convert an input value to a \(typeName) value",
                            "\(name), \(value.pythonStr), \(message)",
                            .obj(
                                ("input_name", .string(name)), ("input_config", inputConfig), ("received_value", value),
                                ("exception_message", .string(message)))))
                    continue
                }
            }
            if let minimum = options["min"], let v = value.doubleValue, let m = minimum.doubleValue, v < m {
                errors.append(
                    Self.error(
                        "value_smaller_than_min", "Value \(value.pythonStr) smaller than min of \(minimum.pythonStr)",
                        name,
                        .obj(("input_name", .string(name)), ("input_config", inputConfig), ("received_value", value))))
                continue
            }
            if let maximum = options["max"], let v = value.doubleValue, let m = maximum.doubleValue, v > m {
                errors.append(
                    Self.error(
                        "value_bigger_than_max", "Value \(value.pythonStr) bigger than max of \(maximum.pythonStr)",
                        name,
                        .obj(("input_name", .string(name)), ("input_config", inputConfig), ("received_value", value))))
                continue
            }
            if case .array(let combo) = inputType, !combo.contains(value) {
                let longList = combo.count > 20
                let listInfo = longList ? "(list of length \(combo.count))" : JSONValue.array(combo).pythonRepr
                errors.append(
                    Self.error(
                        "value_not_in_list", "Value not in list", "\(name): '\(value.pythonStr)' not in \(listInfo)",
                        .obj(
                            ("input_name", .string(name)), ("input_config", longList ? .null : inputConfig),
                            ("received_value", value))))
                continue
            }
        }
        let ok = valid && errors.isEmpty
        record(id, ok, ok ? [] : errors)
        return (ok, ok ? [] : errors)
    }

    /// `validate_node_input`: equal types, `*`, or comma-separated unions.
    static func typesMatch(_ received: String, _ expected: String) -> Bool {
        if received == expected || received == "*" || expected == "*" { return true }
        let r = Set(received.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let e = Set(expected.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        return r.isSubset(of: e)
    }
}

/// Python's `int()`, `float()`, `str()`, `bool()` as validation applies them.
enum PythonConvert {
    enum Outcome {
        case success(JSONValue)
        case failure(String)
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }

    static func convert(_ value: JSONValue, to type: String) -> Outcome {
        switch type {
        case "INT":
            switch value {
            case .int: return .success(value)
            case .bool(let b): return .success(.int(b ? 1 : 0))
            case .double(let d):
                guard d.isFinite else {
                    return .failure(
                        d.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer")
                }
                // Python's int() of a float is exact at any size; past Int64 this one says so instead of trapping.
                guard abs(d) < 9.2e18 else { return .failure("integer out of range: \(d)") }
                return .success(.int(Int(d.rounded(.towardZero))))
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                if let i = Int(t) { return .success(.int(i)) }
                return .failure("invalid literal for int() with base 10: \(value.pythonRepr)")
            default:
                return .failure(
                    "int() argument must be a string, a bytes-like object or a real number, not '\(typeName(value))'")
            }
        case "FLOAT":
            switch value {
            case .double: return .success(value)
            case .int(let i): return .success(.double(Double(i)))
            case .bool(let b): return .success(.double(b ? 1 : 0))
            case .string(let s):
                if let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .success(.double(d)) }
                return .failure("could not convert string to float: \(value.pythonRepr)")
            default:
                return .failure("float() argument must be a string or a real number, not '\(typeName(value))'")
            }
        case "STRING": return .success(.string(value.pythonStr))
        case "BOOLEAN": return .success(.bool(value.isTruthy))
        default: return .success(value)
        }
    }
}
