/** Public API of ONNX I/O: reading and writing models as protobuf objects. */
export {
  onnx,
  DataType,
  OnnxModelError,
  decodeModel,
  encodeModel,
  loadModel,
  type ModelProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
} from './model-io';
