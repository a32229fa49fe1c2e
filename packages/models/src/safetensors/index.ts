export {
  FLOAT_DTYPES,
  type FloatDtype,
  float32ToTensor,
  fromBfloat16Bits,
  fromFloat16Bits,
  MAX_SAFETENSORS_HEADER_BYTES,
  type ReadSafetensorsOptions,
  readSafetensors,
  SAFETENSORS_DTYPE_BYTES,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsTensor,
  tensorToFloat32,
  toBfloat16Bits,
  writeSafetensors,
} from './format';
export {
  type ModelDescriptionLike,
  modelFromSafetensors,
  modelToSafetensors,
  SAFETENSORS_METADATA_KEYS,
  type SafetensorsLoadOptions,
  type SafetensorsSaveOptions,
  safetensorsDescription,
} from './model';
export {
  channelsFirstOrder,
  fromPytorchValues,
  type PytorchTensorLayout,
  pytorchLayout,
  pytorchName,
  toPytorchValues,
} from './pytorch-names';
