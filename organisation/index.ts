// The organisation: people, departments, roles and clearances. Every area and the engine may use
// it (it is the shared kernel); it is listed in the catalogue for its routes and services.
import type { Area } from '../areas/area.ts';
import { meRoutes } from './routes.ts';
import { organisationServices } from './service-task-specs.ts';
import { organisationServiceHandlers } from './service-tasks.ts';

export const organisationArea: Area = {
  name: 'organisation',
  serviceSpecs: organisationServices,
  serviceHandlers: organisationServiceHandlers,
  routes: (deps) => [meRoutes(deps)],
};
