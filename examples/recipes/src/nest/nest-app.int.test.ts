import { describeRecipe } from '../test-support/recipe-contract.js';
import { startNestApp } from './nest-app.js';

describeRecipe('NestJS', startNestApp);
