// The handlers of the organisation's services (service-task-specs.ts).
import { organisationServices } from './service-task-specs.ts';
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';

export function organisationServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof organisationServices> {
  return typedServiceHandlers(organisationServices, {
    async departmentsWithManager() {
      const departments = await sql<{ id: string; name: string; nameZh: string }[]>`
        select d.id, d.name, d.name_zh as "nameZh" from departments d
        where exists (
          select 1 from user_roles r join users u on u.id = r.user_id
          where r.role = 'department_manager' and r.department_id = d.id and u.active)
        order by d.id`;
      return { departments: [...departments] };
    },
  });
}
