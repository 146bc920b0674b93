export { fetchModels, modelKeys, useModels, type ModelItem } from './use-models';
