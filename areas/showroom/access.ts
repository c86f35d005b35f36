// Who may call the showroom's routes (docs/access.md). The services decide with the same rules
// (rules.ts): isShowroomStaff, overseesShowroom, isShowroomManager, setsCommissionRates,
// announcesProtectedOrders, isRegionDepartment.
import { permission, signedIn, type AccessDeclaration } from '../../platform/access.ts';
import { announcesProtectedOrders, isRegionDepartment, isShowroomManager, isShowroomStaff, overseesShowroom, setsCommissionRates } from './rules.ts';

export const visitRecorders = permission({ id: 'showroom.visit.record', ruleIds: ['OVL-5', 'REG-1'], who: 'the showroom staff (the Sales Floor Dept\'s salespeople and the Showroom Manager)', allows: (subject) => isShowroomStaff(subject) });

/** Who took part in a visit: received, recorded or was named in it, was contacted for it, or is credited in its sale. */
export interface VisitFacts {
  involvedIds: readonly string[];
  receivedBy: string;
}

export const visitViewers = permission<VisitFacts>({
  id: 'showroom.visit.view',
  ruleIds: ['OVL-5', 'REG-5'],
  who: 'the Marketing Director and the Showroom Manager; whoever took part in it (received, recorded, named, contacted, credited)',
  allows: (subject, visit) => overseesShowroom(subject) || visit.involvedIds.includes(subject.id),
});

export const contactRecorders = permission<VisitFacts>({
  id: 'showroom.visit.contact',
  ruleIds: ['OVL-6'],
  who: 'the showroom staff who may see the visit',
  allows: (subject, visit) => visitViewers.allows(subject, visit) && isShowroomStaff(subject),
});

export const saleClosers = permission<VisitFacts & { closedBy: string }>({
  id: 'showroom.visit.sale',
  ruleIds: ['OVL-5', 'OVL-6', 'OVL-7'],
  who: 'its receiver, whoever closed the sale, and the Showroom Manager',
  allows: (subject, visit) => visitViewers.allows(subject, visit) && (subject.id === visit.receivedBy || subject.id === visit.closedBy || isShowroomManager(subject)),
});

export const rateSetters = permission({ id: 'showroom.commission-rate', ruleIds: ['REG-5'], who: 'the Marketing Director', allows: (subject) => setsCommissionRates(subject) });

export const protectedOrderAnnouncers = permission({ id: 'showroom.protected-order.announce', ruleIds: ['REG-3'], who: 'the people of a region (the Market Dept, the Out-of-Province Expansion Dept)', allows: (subject) => announcesProtectedOrders(subject) });

export const protectedOrderReaders = permission({
  id: 'showroom.protected-order.read',
  ruleIds: ['REG-3'],
  who: 'the Marketing Director and the Showroom Manager (all); a region its own; the showroom staff the orders in force and their own quotes',
  allows: (subject) => overseesShowroom(subject) || isRegionDepartment(subject.departmentId) || isShowroomStaff(subject),
});

export const quoters = permission({ id: 'showroom.quote', ruleIds: ['REG-3'], who: 'the showroom staff', allows: (subject) => isShowroomStaff(subject) });

export const showroomAccess: AccessDeclaration = {
  routes: [
    { method: 'POST', path: '/api/v1/showroom/visits', permission: visitRecorders },
    { method: 'GET', path: '/api/v1/showroom/visits', permission: signedIn },
    { method: 'GET', path: '/api/v1/showroom/visits/{id}', permission: visitViewers, knownTo: visitViewers },
    { method: 'POST', path: '/api/v1/showroom/visits/{id}/contact-attempts', permission: contactRecorders, knownTo: visitViewers },
    { method: 'POST', path: '/api/v1/showroom/visits/{id}/sale', permission: saleClosers, knownTo: visitViewers },
    { method: 'GET', path: '/api/v1/showroom/commission-rates', permission: signedIn },
    { method: 'PUT', path: '/api/v1/showroom/commission-rates/{departmentId}', permission: rateSetters },
    { method: 'POST', path: '/api/v1/showroom/protected-orders', permission: protectedOrderAnnouncers },
    { method: 'GET', path: '/api/v1/showroom/protected-orders', permission: protectedOrderReaders },
    { method: 'POST', path: '/api/v1/showroom/quotes', permission: quoters },
    { method: 'GET', path: '/api/v1/showroom/quotes', permission: protectedOrderReaders },
  ],
};
